namespace CoreFirmware.Ota.Image
{
    /// <summary>
    /// Told how far a long piece of firmware work has come (hashing or checksumming an image in flash),
    /// every <see cref="ImageVerifier.ProgressStepBytes"/> or so. On a slow CPU such work runs for many
    /// seconds inside one call; the hook is where the caller checks in the watchdog or keeps its link alive.
    /// </summary>
    /// <remarks>
    /// Called on the thread doing the work, between two steps of it; an implementation must be quick,
    /// must not allocate on every call and must not throw (what it throws ends the work).
    /// </remarks>
    public interface IWorkProgress
    {
        /// <summary>Called between steps: <paramref name="bytesDone"/> of <paramref name="bytesTotal"/> bytes are done.</summary>
        /// <param name="bytesDone">Bytes processed so far.</param>
        /// <param name="bytesTotal">Bytes the whole work processes.</param>
        void Progress(int bytesDone, int bytesTotal);
    }
}
