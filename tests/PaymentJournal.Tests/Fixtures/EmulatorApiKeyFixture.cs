namespace PaymentJournal.Tests.Fixtures;

/// <summary>The emulator endpoints on, with API-key authentication.</summary>
public sealed class EmulatorApiKeyFixture : ApiKeyFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Emulator:Enabled", "true")];
}
