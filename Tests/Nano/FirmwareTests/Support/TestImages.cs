using System;
using CoreFirmware.Ota.Crypto;
using CoreFirmware.Ota.Image;
using CoreFirmware.SparkCore;

namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>
    /// Signed images (Ota/Image/ImageFormat) for the verifier, the OTA service and the bootloader,
    /// with real ECDSA P-256 signatures checked by the firmware's managed verifier (ManagedImageCrypto).
    /// </summary>
    /// <remarks>
    /// <para>Each image is header + a payload of bytes from <see cref="TestRandom"/> + the standard
    /// trailer (key hash, SHA-256 of header and payload, signature r || s). Everything but the
    /// signature is computed here; the signatures were made once on a host, over the SHA-256 of
    /// header and payload, with the RFC 6979 appendix A.2.5 P-256 private key (its public point is
    /// <see cref="ImageKey"/>) or, for <see cref="SignedByAnotherKey"/>, another fixed key
    /// (<see cref="OtherKey"/>), each in its low-S form (s at most n/2, which the verifier requires).
    /// ECDSA signatures are randomized: signing again gives other bytes, equally valid. The digests are listed too, as SHA-256 vectors computed by another
    /// implementation (Python's hashlib).</para>
    /// </remarks>
    public static class TestImages
    {
        /// <summary>The device's image key: the RFC 6979 A.2.5 P-256 public point, 0x04 || X || Y.</summary>
        public static readonly byte[] ImageKey = Bytes.FromHex(
            "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
            + "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299");

        /// <summary>Another P-256 key (private scalar: SHA-256 of a fixed text), which the device does not trust.</summary>
        public static readonly byte[] OtherKey = Bytes.FromHex(
            "0444233434e039ca8fc286c604f6d41829f657f544bba9785f2b0283f4951dcef2"
            + "3f38b62c42eb27b2b1e92b800ed949c1cfcae8f561dc7e7077a642bae9260aec");

        /// <summary>Bytes of the standard trailer (key hash, SHA-256, signature).</summary>
        public const int TrailerSize = ImageFormat.StandardTrailerSize;

        /// <summary>SHA-256 of the header and payload of <see cref="Factory100"/> (hashlib).</summary>
        public const string Factory100Digest = "83ea95d2e3a863a49fce335ed63b1909e6df5c4062419634ef9512d632101f84";

        /// <summary>SHA-256 of the header and payload of <see cref="Ota130"/> (hashlib).</summary>
        public const string Ota130Digest = "a5e7ada524c6f4f131bd898f95ed936f7b6fe31bbd9c16e2057cb02e1cddfe7d";

        /// <summary>Version 1.0.0, 3,000 payload bytes (3,176 in all): what a board is manufactured with.</summary>
        public static byte[] Factory100()
        {
            return Build(1, 0, 0, 3000, 1, SparkCoreBoard.ImageBoardId,
                "dfb66b19c097baded05ea2c69a02e1b321bc8cb84f8a435aa27fd0ca035cb95e124531fa9fe4d0b8224aaa7c562f96cc850592780e657aa4a9262dd040119858",
                ImageKey, true);
        }

        /// <summary>Version 1.1.0, 4,500 payload bytes (4,676 in all).</summary>
        public static byte[] Update110()
        {
            return Build(1, 1, 0, 4500, 2, SparkCoreBoard.ImageBoardId,
                "b1c22809d8ee2385ac07ed7decddb4b32f467ce72dfdd0c0d21d623becddacdf4736450e293dca04e76168cd47b635536a2a9e3d54312823178fe70a0a036d84",
                ImageKey, true);
        }

        /// <summary>Version 1.2.0, 2,200 payload bytes (2,376 in all).</summary>
        public static byte[] Update120()
        {
            return Build(1, 2, 0, 2200, 3, SparkCoreBoard.ImageBoardId,
                "2f3b02bd72939cc1e92f1a0e1e9200cf9bde3766b203bd4ebf9410f7198c6706545892e4cbfc579dd648a8756409e960ecdab419e0a9fb5e963bba393cbefad6",
                ImageKey, true);
        }

        /// <summary>Version 1.3.0, 1,100 payload bytes (1,276 in all: five 256-byte OTA chunks, the last one short).</summary>
        public static byte[] Ota130()
        {
            return Build(1, 3, 0, 1100, 6, SparkCoreBoard.ImageBoardId,
                "218bbdeb76208faaa107ff70f506a89dd62b5deeafc720bdee01081e3f1f52275a6a4024cf56ab429ae1fa8f64a0bc3392f4e25481f4513e2a282b0266597114",
                ImageKey, true);
        }

        /// <summary>
        /// Version 1.1.0, 1,500 payload bytes, properly signed by <see cref="OtherKey"/>; with
        /// <paramref name="withKeyHash"/> false the trailer has no key hash entry, so only the
        /// signature check can refuse it.
        /// </summary>
        public static byte[] SignedByAnotherKey(bool withKeyHash)
        {
            return Build(1, 1, 0, 1500, 5, SparkCoreBoard.ImageBoardId,
                "38865843e8fc2f498436790bf5a7b13dadd24c0e9872f59dac7a122b515d46d01df8c9d6731fa64e2ad90fd6496f580ec0f0b20740f537d979c927608404008a",
                OtherKey, withKeyHash);
        }

        /// <summary>An image with no valid signature (all-zero r and s): for the header gate, which refuses before any signature is read.</summary>
        public static byte[] Unsigned(int major, int minor, int revision, int payloadSize, uint boardId)
        {
            return Build(major, minor, revision, payloadSize, 9, boardId, null, ImageKey, true);
        }

        /// <summary>The packed version a decision reports for major.minor.revision.</summary>
        public static uint Version(int major, int minor, int revision)
        {
            return PackedImageVersion.Pack(major, minor, revision);
        }

        /// <summary>Header + payload + trailer; <paramref name="signatureHex"/> null gives a zero signature.</summary>
        public static byte[] Build(int major, int minor, int revision, int payloadSize, uint seed, uint boardId,
            string signatureHex, byte[] signerKey, bool withKeyHash)
        {
            int body = ImageFormat.HeaderSize + payloadSize;
            int trailer = withKeyHash ? ImageFormat.StandardTrailerSize : ImageFormat.MinTrailerSize;
            byte[] image = new byte[body + trailer];
            ImageHeader header = new ImageHeader();
            header.Magic = ImageFormat.Magic;
            header.FormatVersion = ImageFormat.FormatVersion;
            header.HeaderSize = ImageFormat.HeaderSize;
            header.BoardId = boardId;
            header.Major = major;
            header.Minor = minor;
            header.Revision = revision;
            header.Build = 0;
            header.PayloadSize = (uint)payloadSize;
            header.Flags = 0;
            header.Write(image, 0);
            new TestRandom(seed).NextBytes(image, ImageFormat.HeaderSize, payloadSize);

            byte[] digest = Sha256Of(image, 0, body);
            byte[] signature = signatureHex == null ? new byte[ImageFormat.SignatureSize] : Bytes.FromHex(signatureHex);
            int p = body;
            ImageFormat.WriteUInt16(image, p, ImageFormat.TrailerMagic);
            ImageFormat.WriteUInt16(image, p + 2, trailer);
            p += ImageFormat.TrailerInfoSize;
            if (withKeyHash) p = Entry(image, p, ImageFormat.TagKeyHash, Sha256Of(signerKey, 0, signerKey.Length));
            p = Entry(image, p, ImageFormat.TagSha256, digest);
            Entry(image, p, ImageFormat.TagEcdsaP256, signature);
            return image;
        }

        /// <summary>Offset of the signature's first byte in an image built here.</summary>
        public static int SignatureOffset(byte[] image)
        {
            return image.Length - ImageFormat.SignatureSize;
        }

        /// <summary>SHA-256 with the firmware's own implementation.</summary>
        public static byte[] Sha256Of(byte[] data, int offset, int count)
        {
            Sha256 sha = new Sha256();
            sha.Begin();
            sha.Update(data, offset, count);
            byte[] digest = new byte[32];
            sha.Finish(digest, 0);
            return digest;
        }

        /// <summary>The verifier a Spark Core trusting <see cref="ImageKey"/> uses, over the managed P-256.</summary>
        public static ImageVerifier NewVerifier()
        {
            return new ImageVerifier(new ManagedImageCrypto(), ImageKey, SparkCoreBoard.ImageBoardId);
        }

        private static int Entry(byte[] image, int p, int tag, byte[] value)
        {
            image[p] = (byte)tag;
            image[p + 1] = 0;
            ImageFormat.WriteUInt16(image, p + 2, value.Length);
            Array.Copy(value, 0, image, p + ImageFormat.EntryHeaderSize, value.Length);
            return p + ImageFormat.EntryHeaderSize + value.Length;
        }
    }
}
