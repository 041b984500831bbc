using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Cairn.Common.Errors;

namespace Cairn.Common.Tests.Errors;

public sealed class TransienceTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Our_roots_answer_for_themselves(bool transient)
    {
        Assert.Equal(transient, Transience.IsTransient(new Aware(transient)));
        // A root wrapping a framework failure still decides: the root knows more than its cause.
        Assert.Equal(transient, Transience.IsTransient(new Aware(transient, new SocketException())));
    }

    [Fact]
    public void Network_failures_and_timeouts_are_transient()
    {
        Assert.True(Transience.IsTransient(new TimeoutException()));
        Assert.True(Transience.IsTransient(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.True(Transience.IsTransient(new IOException("connection reset")));
        Assert.True(Transience.IsTransient(new EndOfStreamException()));
        Assert.True(Transience.IsTransient(new HttpRequestException("no route")));
        Assert.True(Transience.IsTransient(new HttpRequestException("busy", null, HttpStatusCode.ServiceUnavailable)));
        Assert.True(Transience.IsTransient(new HttpRequestException("slow down", null, HttpStatusCode.TooManyRequests)));
        Assert.True(Transience.IsTransient(new HttpRequestException("timeout", null, HttpStatusCode.RequestTimeout)));
    }

    [Fact]
    public void Requests_that_cannot_succeed_are_permanent()
    {
        Assert.False(Transience.IsTransient(new HttpRequestException("denied", null, HttpStatusCode.Forbidden)));
        Assert.False(Transience.IsTransient(new HttpRequestException("missing", null, HttpStatusCode.NotFound)));
        Assert.False(Transience.IsTransient(new FileNotFoundException()));
        Assert.False(Transience.IsTransient(new DirectoryNotFoundException()));
        Assert.False(Transience.IsTransient(new ArgumentException("bad")));
        Assert.False(Transience.IsTransient(new InvalidOperationException()));
        Assert.False(Transience.IsTransient(null));
    }

    [Fact]
    public void Cancellation_is_transient_only_when_the_caller_did_not_ask_for_it()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.False(Transience.IsTransient(new OperationCanceledException(cancelled.Token), cancelled.Token));
        Assert.False(Transience.IsTransient(new TaskCanceledException(), cancelled.Token));
        // An inner layer's timeout (HttpClient.Timeout surfaces as TaskCanceledException) while the caller still waits.
        Assert.True(Transience.IsTransient(new TaskCanceledException(), CancellationToken.None));
    }

    [Fact]
    public void Aggregates_are_transient_only_when_every_inner_failure_is()
    {
        Assert.True(Transience.IsTransient(new AggregateException(new TimeoutException(), new Aware(true))));
        Assert.False(Transience.IsTransient(new AggregateException(new TimeoutException(), new Aware(false))));
        Assert.True(Transience.IsTransient(new AggregateException(new AggregateException(new IOException()))));
        Assert.False(Transience.IsTransient(new AggregateException()));
    }

    [Fact]
    public void Wrappers_are_classified_by_their_cause()
    {
        Assert.True(Transience.IsTransient(new TargetInvocationException(new SocketException())));
        Assert.True(Transience.IsTransient(new InvalidOperationException("wrapped", new Exception("x", new Aware(true)))));
        Assert.False(Transience.IsTransient(new InvalidOperationException("wrapped", new ArgumentException())));
    }

    private sealed class Aware(bool transient, Exception? inner = null) : Exception("test", inner), ITransientAware
    {
        public bool IsTransient { get; } = transient;
    }
}
