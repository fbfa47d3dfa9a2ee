using System.Buffers.Binary;

namespace PaymentJournal.Data;

/// <summary>
/// Ids for new rows: version 7 GUIDs (RFC 9562) that rise one after another within the process, as their text and as
/// PostgreSQL's uuid order them. A row with a random id goes to a random page of its table's primary key index, so a
/// bulk insert dirties (and writes to the WAL) about one page per row, more as the table grows; rising ids append to
/// the index's last page instead. Layout: the Unix time in milliseconds (48 bits), the version, a 42-bit counter that
/// starts at a random value each millisecond and rises within it (method 1 of the RFC), the variant, 32 random bits.
/// </summary>
public static class SequentialIds
{
    private const int CounterBits = 42;
    private const long CounterMask = (1L << CounterBits) - 1;
    private static readonly object Gate = new();
    private static long _lastMs;
    private static long _counter;

    public static Guid Next()
    {
        long ms, counter;
        lock (Gate)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (now > _lastMs)
            {
                _lastMs = now;
                // Below half the range, so that the millisecond cannot run out of counter values.
                _counter = Random.Shared.NextInt64(1L << (CounterBits - 1));
            }
            else if (++_counter > CounterMask)
            {
                // Used up (or the clock went back): borrow the next millisecond.
                _lastMs++;
                _counter = 0;
            }
            ms = _lastMs;
            counter = _counter;
        }
        var high = (ulong)ms << 16 | 0x7000UL | (ulong)(counter >> 30) & 0xFFF;
        var low = 0x8000_0000_0000_0000UL | (ulong)(counter & 0x3FFF_FFFF) << 32 | (ulong)Random.Shared.NextInt64(1L << 32);
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, high);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], low);
        return new Guid(bytes, bigEndian: true);
    }
}
