namespace CoreFirmware.Ota.Update
{
    /// <summary>Where the OTA service is.</summary>
    public enum OtaState
    {
        /// <summary>No update: user networking runs.</summary>
        Idle = 0,

        /// <summary>An update was accepted (UpdateReady sent): chunks are being received; user networking is preempted.</summary>
        Receiving = 1,

        /// <summary>The image verified, the pending record is written and a reboot was requested; preemption stays until the reboot.</summary>
        RebootPending = 2
    }
}
