using System.Runtime.CompilerServices;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>
    /// The board's native cryptography (a device's crypto engine; here the host's), for what the firmware
    /// does not do in managed code (CRYPTO-ON-DEVICE.md): the cloud handshake's RSA, the session's
    /// AES-128-CBC and HMAC-SHA1. Implemented in Native/corefw_hal.cpp; one native for every operation,
    /// on up to four buffer ranges whose meaning depends on the operation (see <see cref="NanoCrypto"/>).
    /// </summary>
    internal static class NativeCrypto
    {
        internal const int RsaEncrypt = 0;
        internal const int RsaDecrypt = 1;
        internal const int RsaSignRaw = 2;
        internal const int RsaVerifyRaw = 3;
        internal const int AesCbcEncrypt = 4;
        internal const int AesCbcDecrypt = 5;
        internal const int HmacSha1 = 6;

        /// <summary>Runs <paramref name="operation"/>; returns its result (a length, 1/0, or a CryptoStatus code).</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern int Invoke(int operation,
            byte[] a, int aOffset, int aCount,
            byte[] b, int bOffset, int bCount,
            byte[] c, int cOffset, int cCount,
            byte[] d, int dOffset, int dCount);
    }
}
