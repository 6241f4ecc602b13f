namespace CoreFirmware.Application.App
{
    /// <summary>
    /// Counters an app may expose for the board's tools (the live view, the soak): the runner loads
    /// the app from the application slot into its own load context, so it reads them through this
    /// interface rather than the app's own type.
    /// </summary>
    public interface IAppCounters
    {
        /// <summary>Requests (or work items) started.</summary>
        int Requests { get; }

        /// <summary>Requests that completed and were handled.</summary>
        int Completed { get; }

        /// <summary>Requests that failed.</summary>
        int Failures { get; }
    }
}
