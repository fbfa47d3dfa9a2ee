using PaymentJournal.Data;

namespace PaymentJournal.Tests.Unit;

/// <summary>New rows' ids: version 7 GUIDs that rise in the order they are made, as text and as big-endian bytes.</summary>
public sealed class SequentialIdsTests
{
    [Fact]
    public void Ids_rise_as_text_and_as_bytes_and_carry_version_7()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // Many in one millisecond, across many milliseconds.
        var ids = Enumerable.Range(0, 200_000).Select(_ => SequentialIds.Next()).ToList();
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 1; i < ids.Count; i++)
        {
            Assert.True(string.CompareOrdinal(ids[i - 1].ToString("D").ToUpperInvariant(), ids[i].ToString("D").ToUpperInvariant()) < 0, $"text at {i}");
            Assert.True(ids[i - 1].ToByteArray(bigEndian: true).AsSpan().SequenceCompareTo(ids[i].ToByteArray(bigEndian: true)) < 0, $"bytes at {i}");
        }
        foreach (var id in ids.Take(1000).Concat(ids.TakeLast(1000)))
        {
            Assert.Equal(7, id.Version);
            Assert.Equal(0b10, id.Variant >> 2);
            var ms = Convert.ToInt64(id.ToString("N")[..12], 16);
            Assert.InRange(ms, before, after + 1);
        }
        // A journal's number series is named by the last 16 digits: they must differ too.
        Assert.Equal(ids.Count, ids.Select(id => id.ToString("N")[16..]).Distinct().Count());
    }

    [Fact]
    public void Ids_made_on_many_threads_are_distinct_and_each_thread_sees_them_rise()
    {
        var perThread = new List<Guid>[8];
        Parallel.For(0, perThread.Length, new ParallelOptions { MaxDegreeOfParallelism = perThread.Length }, t =>
        {
            var mine = new List<Guid>(20_000);
            for (var i = 0; i < 20_000; i++) mine.Add(SequentialIds.Next());
            perThread[t] = mine;
        });
        foreach (var mine in perThread)
            for (var i = 1; i < mine.Count; i++)
                Assert.True(mine[i - 1].ToByteArray(bigEndian: true).AsSpan().SequenceCompareTo(mine[i].ToByteArray(bigEndian: true)) < 0);
        var all = perThread.SelectMany(x => x).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }
}
