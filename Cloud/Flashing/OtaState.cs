namespace CoreFirmware.Cloud;

/// <summary>States of one OTA flash as the cloud sees it.</summary>
public enum OtaState
{
    /// <summary>UpdateBegin sent, waiting for UpdateReady (with retries).</summary>
    Starting,

    /// <summary>Sending chunks.</summary>
    Transferring,

    /// <summary>UpdateDone sent, waiting for the device's verdict.</summary>
    Finishing,

    /// <summary>The device accepted the image (2.04 to UpdateDone, or "pending ..." event).</summary>
    Done,

    /// <summary>Ended without success; <see cref="OtaProgress.Reason"/> says why.</summary>
    Failed
}
