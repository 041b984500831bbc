using Cairn.Store.Services;
using Cairn.Store.Txn;

namespace Cairn.Store.Tests;

public sealed class ConcurrencyPrimitiveTests
{
    [Fact]
    public async Task Latches_serialize_commands_on_shared_keys_without_deadlock()
    {
        var latches = new Latches(16);
        var keys = Enumerable.Range(0, 40).Select(i => (ReadOnlyMemory<byte>)new byte[] { (byte)i }).ToArray();
        var counters = new int[keys.Length];
        var inside = new int[keys.Length];
        var overlaps = 0;
        var tasks = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var n = 0; n < 300; n++)
            {
                // Each command takes a random set of keys in a random order; slots are still taken in order.
                var chosen = Enumerable.Range(0, random.Next(1, 6)).Select(_ => random.Next(keys.Length)).Distinct().ToArray();
                using (await latches.AcquireAsync(chosen.Select(i => keys[i])))
                {
                    foreach (var i in chosen)
                    {
                        if (Interlocked.Increment(ref inside[i]) != 1)
                        {
                            Interlocked.Increment(ref overlaps);
                        }
                    }

                    foreach (var i in chosen)
                    {
                        var read = counters[i];
                        await Task.Yield();
                        counters[i] = read + 1;
                    }

                    foreach (var i in chosen)
                    {
                        Interlocked.Decrement(ref inside[i]);
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(0, overlaps);
        var expected = 0;
        for (var w = 0; w < 8; w++)
        {
            var random = new Random(w);
            for (var n = 0; n < 300; n++)
            {
                expected += Enumerable.Range(0, random.Next(1, 6)).Select(_ => random.Next(keys.Length)).Distinct().Count();
            }
        }

        Assert.Equal(expected, counters.Sum());
    }

    [Fact]
    public void Admission_control_caps_in_flight_requests()
    {
        var control = new AdmissionControl(2);
        Assert.True(control.TryEnter());
        Assert.True(control.TryEnter());
        Assert.False(control.TryEnter());
        Assert.Equal(2, control.InFlight);
        control.Exit();
        Assert.True(control.TryEnter());
        Assert.False(new AdmissionControl(0).TryEnter());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdmissionControl(-1));
    }
}
