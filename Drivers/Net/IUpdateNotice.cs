namespace CoreFirmware.Drivers.Net
{
    /// <summary>
    /// What user code may know about OTA: whether an update is running. While
    /// <see cref="UpdatesPending"/> is true, user sockets are closed with
    /// <see cref="SocketError.Preempted"/> and new ones are refused with
    /// <see cref="SocketError.UpdateInProgress"/>; a polite app backs off until it turns false.
    /// </summary>
    public interface IUpdateNotice
    {
        /// <summary>True from the moment the cloud announced an update until it ended (success means a reboot).</summary>
        bool UpdatesPending { get; }
    }
}
