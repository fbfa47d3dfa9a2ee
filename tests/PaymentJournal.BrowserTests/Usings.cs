global using System.Net;
global using System.Text.Json.Nodes;
global using Microsoft.Playwright;
global using PaymentJournal.Tests.Fixtures;
global using Xunit;
global using static Microsoft.Playwright.Assertions;

// One browser test class at a time: each runs a service and a Chromium, which is plenty for a 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
