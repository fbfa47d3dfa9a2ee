global using System.Net;
global using System.Text.Json.Nodes;
global using Microsoft.AspNetCore.Builder;
global using Microsoft.Extensions.Configuration;
global using PaymentJournal.Tests.Fixtures;
global using Xunit;
