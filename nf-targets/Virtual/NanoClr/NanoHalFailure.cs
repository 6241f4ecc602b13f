using CoreFirmware.Virtual.Hardware;

namespace CoreFirmware.Virtual.NanoClr;

/// <summary>
/// How a host-side failure reaches the firmware: an error code (CoreFirmware.VirtualNanoClr.NativeHalError),
/// the managed exception type nanoCLR should raise (the failure's own type name: a firmware type such as
/// CoreFirmware.Drivers.Hal.InternalFlashException exists under the same name on nanoCLR; any other
/// becomes NativeHalException with the code) and the message.
/// </summary>
public sealed record NanoHalFailure(int Code, string TypeName, string Message)
{
    public const int ModelFault = -1;
    public const int NoSuchPart = -2;
    public const int BadArgument = -3;
    public const int PowerLost = -4;

    /// <summary>The failure for an exception a board model threw.</summary>
    public static NanoHalFailure From(Exception e)
    {
        int code = e switch
        {
            PowerLossException => PowerLost,
            KeyNotFoundException => NoSuchPart,
            ArgumentException => BadArgument,
            _ => ModelFault,
        };
        return new NanoHalFailure(code, e.GetType().FullName ?? "", $"{e.GetType().Name}: {e.Message}");
    }
}
