using Xunit.Sdk;

namespace CoreFirmware.Tests.Support;

/// <summary>
/// Bounded waits on the event a test is waiting for, instead of a sleep followed by an assert or an
/// assert on how long something took. The bound is generous (the machine is shared and slow at
/// times); when it passes, the test fails saying what it waited for and for how long.
/// </summary>
internal static class Eventually
{
    /// <summary>Bound for waits on something that normally takes milliseconds.</summary>
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(10);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <paramref name="timeout"/>.</summary>
    public static void Until(Func<bool> condition, TimeSpan timeout, string what) => Until(condition, timeout, () => what);

    /// <summary>As <see cref="Until(Func{bool}, TimeSpan, string)"/>; <paramref name="what"/> is asked only on failure (it may describe the state).</summary>
    public static void Until(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        if (!Holds(condition, timeout)) throw new XunitException($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what()}");
    }

    /// <summary>Polls <paramref name="condition"/> until it holds (true) or <paramref name="timeout"/> passes (false), for callers that assert on the state themselves.</summary>
    public static bool Holds(Func<bool> condition, TimeSpan timeout)
    {
        long end = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > end) return condition();
            Thread.Sleep(5);
        }
        return true;
    }

    /// <summary>The async form of <see cref="Until(Func{bool}, TimeSpan, Func{string})"/> (does not block a thread).</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        long end = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > end)
            {
                if (condition()) return;
                throw new XunitException($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what()}");
            }
            await Task.Delay(10);
        }
    }

    /// <summary>Awaits <paramref name="task"/> for at most <paramref name="timeout"/>; fails naming <paramref name="what"/> when it does not complete.</summary>
    public static async Task<T> Within<T>(Task<T> task, TimeSpan timeout, string what)
    {
        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new XunitException($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}");
        }
    }

    /// <summary>Awaits <paramref name="task"/> for at most <paramref name="timeout"/>; fails naming <paramref name="what"/> when it does not complete.</summary>
    public static async Task Within(Task task, TimeSpan timeout, string what)
    {
        try
        {
            await task.WaitAsync(timeout);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new XunitException($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}");
        }
    }
}
