namespace CoreFirmware.Cloud;

/// <summary>A snapshot of what the cloud knows about one registered device.</summary>
/// <param name="Id">24 lowercase hex.</param>
/// <param name="Name">Registry name, if any.</param>
/// <param name="Connected">True while a handshaken connection is open.</param>
/// <param name="LastHeard">Last message from the device (UTC), null if never.</param>
/// <param name="ProductId">From its last Hello (-1 if unknown).</param>
/// <param name="FirmwareVersion">From its last Hello (-1 if unknown).</param>
/// <param name="LastDeviceMessage">The last "E/corefw/ota" event payload ("pending ..." / "aborted: ...").</param>
/// <param name="LastEventName">Name of the last event it sent.</param>
/// <param name="LastEventData">Data of the last event it sent.</param>
/// <param name="Ota">Progress of the latest flash, null if none since the cloud started.</param>
/// <param name="Running">The image it runs (its last "corefw/boot" event), null if not heard yet.</param>
/// <param name="LastOta">How its last OTA ended (flash job, device events, rollback), null if none.</param>
public sealed record DeviceInfo(string Id, string? Name, bool Connected, DateTimeOffset? LastHeard, int ProductId,
    int FirmwareVersion, string? LastDeviceMessage, string? LastEventName, string? LastEventData, OtaProgress? Ota,
    RunningImage? Running = null, OtaOutcome? LastOta = null);
