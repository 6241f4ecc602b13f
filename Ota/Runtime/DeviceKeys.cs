using System;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Ota.Runtime
{
    /// <summary>
    /// The device's identity as kept in the external flash's keys sector: the 12-byte device id,
    /// the device's RSA-1024 key pair (DER), the cloud's RSA-2048 public key (DER) and the public key
    /// images must be signed with (the 65-byte uncompressed ECDSA P-256 point). Layout:
    /// <code>
    /// "CFK2" | id (12) | u16 len + device private key | u16 len + device public key
    ///        | u16 len + server public key | u16 len + image public key (65)
    ///        | CRC32 (LE) of everything before it
    /// </code>
    /// The older "CFK1" form (no image key) is not read: <see cref="Read"/> throws
    /// InvalidOperationException saying the board must be provisioned again.
    /// Read once at boot (it allocates the key arrays); written when the board is provisioned.
    /// </summary>
    public sealed class DeviceKeys
    {
        /// <summary>Length of a device id.</summary>
        public const int IdLength = 12;

        /// <summary>Length of the image public key: an uncompressed P-256 point (0x04 || X || Y).</summary>
        public const int ImagePublicKeyLength = 65;

        private const uint Magic = 0x324B4643; // "CFK2" read little-endian
        private const uint OldMagic = 0x314B4643; // "CFK1": the form before image keys

        /// <summary>Creates the key set.</summary>
        /// <param name="deviceId">The 12-byte device id.</param>
        /// <param name="devicePrivateKeyDer">The device's RSA-1024 private key (PKCS#1 DER).</param>
        /// <param name="devicePublicKeyDer">The device's public key (SubjectPublicKeyInfo DER).</param>
        /// <param name="serverPublicKeyDer">The cloud's public key (SubjectPublicKeyInfo DER).</param>
        /// <param name="imagePublicKey">The image signing public key: 65-byte uncompressed P-256 point.</param>
        public DeviceKeys(byte[] deviceId, byte[] devicePrivateKeyDer, byte[] devicePublicKeyDer, byte[] serverPublicKeyDer, byte[] imagePublicKey)
        {
            if (deviceId == null || deviceId.Length != IdLength) throw new ArgumentException("a device id is 12 bytes", "deviceId");
            if (devicePrivateKeyDer == null || devicePublicKeyDer == null || serverPublicKeyDer == null || imagePublicKey == null) throw new ArgumentNullException("key");
            if (imagePublicKey.Length != ImagePublicKeyLength || imagePublicKey[0] != 0x04)
                throw new ArgumentException("the image key is a 65-byte uncompressed P-256 point", "imagePublicKey");
            DeviceId = deviceId;
            DevicePrivateKeyDer = devicePrivateKeyDer;
            DevicePublicKeyDer = devicePublicKeyDer;
            ServerPublicKeyDer = serverPublicKeyDer;
            ImagePublicKey = imagePublicKey;
        }

        /// <summary>The device id.</summary>
        public byte[] DeviceId { get; private set; }

        /// <summary>The device's private key (PKCS#1 DER).</summary>
        public byte[] DevicePrivateKeyDer { get; private set; }

        /// <summary>The device's public key (SubjectPublicKeyInfo DER).</summary>
        public byte[] DevicePublicKeyDer { get; private set; }

        /// <summary>The cloud's public key (SubjectPublicKeyInfo DER).</summary>
        public byte[] ServerPublicKeyDer { get; private set; }

        /// <summary>The public key images must be signed with (65-byte uncompressed P-256 point).</summary>
        public byte[] ImagePublicKey { get; private set; }

        /// <summary>Erases <paramref name="region"/> and writes the keys into it.</summary>
        public void Write(Sst25Flash flash, FlashRegion region)
        {
            int length = 4 + IdLength + 2 + DevicePrivateKeyDer.Length + 2 + DevicePublicKeyDer.Length + 2 + ServerPublicKeyDer.Length
                + 2 + ImagePublicKey.Length + 4;
            if (length > region.Size) throw new ArgumentException("the keys do not fit the keys region");
            byte[] record = new byte[length];
            int p = 0;
            p = PutU32(record, p, Magic);
            Array.Copy(DeviceId, 0, record, p, IdLength);
            p += IdLength;
            p = PutBlob(record, p, DevicePrivateKeyDer);
            p = PutBlob(record, p, DevicePublicKeyDer);
            p = PutBlob(record, p, ServerPublicKeyDer);
            p = PutBlob(record, p, ImagePublicKey);
            PutU32(record, p, Crc32.Compute(record, 0, p));
            flash.EraseRange(region.Start, region.Size);
            flash.Program(region.Start, record, 0, record.Length);
        }

        /// <summary>Reads the keys from <paramref name="region"/>; null when there are none or the record is damaged.</summary>
        /// <exception cref="InvalidOperationException">The region holds the old "CFK1" form (no image key).</exception>
        public static DeviceKeys Read(Sst25Flash flash, FlashRegion region)
        {
            byte[] head = new byte[4 + IdLength];
            flash.Read(region.Start, head, 0, head.Length);
            uint magic = GetU32(head, 0);
            if (magic == OldMagic) throw new InvalidOperationException("device keys in the old CFK1 form (no image key): provision the board again");
            if (magic != Magic) return null;
            int p = head.Length;
            byte[] id = new byte[IdLength];
            Array.Copy(head, 4, id, 0, IdLength);
            byte[] priv = ReadBlob(flash, region, ref p);
            byte[] pub = priv == null ? null : ReadBlob(flash, region, ref p);
            byte[] server = pub == null ? null : ReadBlob(flash, region, ref p);
            byte[] image = server == null ? null : ReadBlob(flash, region, ref p);
            if (image == null || p + 4 > region.Size) return null;
            byte[] all = new byte[p + 4];
            flash.Read(region.Start, all, 0, all.Length);
            if (Crc32.Compute(all, 0, p) != GetU32(all, p)) return null;
            if (image.Length != ImagePublicKeyLength || image[0] != 0x04) return null;
            return new DeviceKeys(id, priv, pub, server, image);
        }

        private static byte[] ReadBlob(Sst25Flash flash, FlashRegion region, ref int p)
        {
            if (p + 2 > region.Size) return null;
            byte[] len = new byte[2];
            flash.Read(region.Start + p, len, 0, 2);
            int n = len[0] | (len[1] << 8);
            p += 2;
            if (n == 0 || n == 0xFFFF || p + n > region.Size) return null;
            byte[] blob = new byte[n];
            flash.Read(region.Start + p, blob, 0, n);
            p += n;
            return blob;
        }

        private static int PutBlob(byte[] b, int p, byte[] blob)
        {
            b[p] = (byte)blob.Length;
            b[p + 1] = (byte)(blob.Length >> 8);
            Array.Copy(blob, 0, b, p + 2, blob.Length);
            return p + 2 + blob.Length;
        }

        private static int PutU32(byte[] b, int p, uint v)
        {
            b[p] = (byte)v;
            b[p + 1] = (byte)(v >> 8);
            b[p + 2] = (byte)(v >> 16);
            b[p + 3] = (byte)(v >> 24);
            return p + 4;
        }

        private static uint GetU32(byte[] b, int p)
        {
            return (uint)(b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24));
        }
    }
}
