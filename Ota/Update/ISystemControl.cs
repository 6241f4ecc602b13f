namespace CoreFirmware.Ota.Update
{
    /// <summary>The system runtime's controls the OTA service uses.</summary>
    public interface ISystemControl
    {
        /// <summary>
        /// Asks for a reboot (into the bootloader, which installs a pending image). Returns at once;
        /// the runtime reboots when it is safe (after the last message went out).
        /// </summary>
        void RequestReboot(string reason);
    }
}
