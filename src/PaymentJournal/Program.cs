using Microsoft.Data.Sqlite;
using var c = new SqliteConnection("Data Source=/tmp/x.db");
c.Open();
using var cmd = c.CreateCommand(); cmd.CommandText = "select sqlite_version()";
Console.WriteLine(cmd.ExecuteScalar());
var app = WebApplication.CreateBuilder(args).Build();
