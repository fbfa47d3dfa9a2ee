using PaymentJournal;

var app = App.Build(args);
await App.PrepareDatabaseAsync(app);
app.Run();
