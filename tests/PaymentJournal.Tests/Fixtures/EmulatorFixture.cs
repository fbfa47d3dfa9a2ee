namespace PaymentJournal.Tests.Fixtures;

/// <summary>The service with the emulator endpoints on; a proxy on loopback is trusted, so a test can pose as another host.</summary>
public sealed class EmulatorFixture : ServiceFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Emulator:Enabled", "true"),
        new("Emulator:MaxSnapshots", "3"),
        new("ForwardedHeaders:KnownProxies", "127.0.0.1"),
    ];
}
