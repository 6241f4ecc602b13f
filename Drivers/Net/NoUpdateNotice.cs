namespace CoreFirmware.Drivers.Net
{
    /// <summary>
    /// An <see cref="IUpdateNotice"/> that never reports an update: for user code run without the
    /// system's socket broker (tests, the bare ticker runner).
    /// </summary>
    public sealed class NoUpdateNotice : IUpdateNotice
    {
        /// <summary>The shared instance.</summary>
        public static readonly NoUpdateNotice Instance = new NoUpdateNotice();

        /// <summary>Always false.</summary>
        public bool UpdatesPending
        {
            get { return false; }
        }
    }
}
