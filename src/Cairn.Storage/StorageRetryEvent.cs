namespace Cairn.Storage;

/// <summary>Told to <see cref="RetryPolicy.OnRetry"/> before each new attempt; <see cref="Error"/>'s message is already redacted.</summary>
/// <param name="Operation">What was being done, for example <c>read s3://bucket/prefix/backupmeta</c>.</param>
/// <param name="Attempt">The attempt that just failed, from 1.</param>
/// <param name="Delay">How long the policy waits before the next attempt.</param>
/// <param name="Error">Why the attempt failed.</param>
public readonly record struct StorageRetryEvent(string Operation, int Attempt, TimeSpan Delay, StorageException Error);
