global using System.Net;
global using System.Text.Json.Nodes;
global using Microsoft.Playwright;
global using PaymentJournal.Tests.Fixtures;
global using Xunit;
global using static Microsoft.Playwright.Assertions;
