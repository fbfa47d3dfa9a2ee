using System.Globalization;
using System.Text;
using PaymentJournal.OData;
using Xunit;

namespace PaymentJournal.Tests.Unit;

/// <summary>Dates and timestamps, as UTF-8 and as strings: the text .NET's own formatting gives (yyyy-MM-dd, yyyy-MM-ddTHH:mm:ss.fffZ).</summary>
public sealed class WireTests
{
    [Fact]
    public void Utf8_dates_and_timestamps_are_the_string_forms()
    {
        var random = new Random(11);
        var times = new List<DateTime>
        {
            DateTime.MinValue, DateTime.MaxValue, new(2025, 6, 30, 0, 0, 0, DateTimeKind.Utc), new(2025, 12, 31, 23, 59, 59, 999, DateTimeKind.Utc),
            new DateTime(2024, 2, 29, 12, 0, 0, DateTimeKind.Utc).AddTicks(9999), new(999, 1, 2, 3, 4, 5, 6, DateTimeKind.Utc),
        };
        for (var n = 0; n < 5000; n++) times.Add(new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc));
        Span<byte> text = stackalloc byte[24];
        foreach (var t in times)
        {
            var timestamp = t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            Wire.Timestamp(t, text);
            Assert.Equal(timestamp, Encoding.ASCII.GetString(text));
            Assert.Equal(timestamp, Wire.Timestamp(t));
            var day = DateOnly.FromDateTime(t);
            var date = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            Wire.Date(day, text[..10]);
            Assert.Equal(date, Encoding.ASCII.GetString(text[..10]));
            Assert.Equal(date, Wire.Date(day));
        }
    }
}
