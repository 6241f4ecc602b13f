using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Image;
using CoreFirmware.SparkCore;

namespace CoreFirmware.Nano.FirmwareTests.Image
{
    /// <summary>
    /// Image verification end to end on the device's own crypto (ManagedImageCrypto: the firmware's
    /// SHA-256 and managed ECDSA P-256): a signed image is accepted; a byte flipped anywhere in the
    /// header, the payload or the signature is refused.
    /// </summary>
    [TestClass]
    public class ImageVerifierTests
    {
        private const int Slot = SparkCoreFlashLayout.SlotSize;

        [TestMethod]
        public void ASignedImageIsAcceptedAndItsHeaderReadsBack()
        {
            byte[] image = TestImages.Factory100();
            ImageVerifier verifier = TestImages.NewVerifier();
            Assert.AreEqual(ImageVerifyResult.Ok, verifier.Verify(new ArrayFlash(image), 0, Slot, image.Length));
            Assert.AreEqual(image.Length, verifier.ImageLength);
            Assert.AreEqual(1, verifier.Header.Major);
            Assert.AreEqual(0, verifier.Header.Minor);
            Assert.AreEqual(3000u, verifier.Header.PayloadSize);
            Assert.AreEqual(SparkCoreBoard.ImageBoardId, verifier.Header.BoardId);
        }

        [TestMethod]
        public void AnImageInTheMiddleOfTheFlashIsFoundByExactLengthOrByItsOwnTrailer()
        {
            byte[] image = TestImages.Update120();
            byte[] flash = Bytes.Filled(10000, 0xFF);
            System.Array.Copy(image, 0, flash, 4096, image.Length);
            ImageVerifier verifier = TestImages.NewVerifier();
            Assert.AreEqual(ImageVerifyResult.Ok, verifier.Verify(new ArrayFlash(flash), 4096, Slot, image.Length));
            Assert.AreEqual(image.Length, verifier.ImageLength);
            Assert.AreEqual(ImageVerifyResult.Malformed, verifier.Verify(new ArrayFlash(flash), 4096, Slot, image.Length + 100), "bytes after the trailer");
            Assert.AreEqual(ImageVerifyResult.Ok, verifier.VerifyInSlot(new ArrayFlash(flash), 4096, 10000 - 4096), "length from the header and trailer");
            Assert.AreEqual(image.Length, verifier.ImageLength);
        }

        [TestMethod]
        public void TheProgressHookIsToldOnceBeforeTheSignatureCheckOfASmallImage()
        {
            // Under ImageVerifier.ProgressStepBytes of hash there is no step call; the one before ECDSA always comes.
            byte[] image = TestImages.Factory100();
            ImageVerifier verifier = TestImages.NewVerifier();
            CountingProgress progress = new CountingProgress();
            verifier.Progress = progress;
            Assert.AreEqual(ImageVerifyResult.Ok, verifier.Verify(new ArrayFlash(image), 0, Slot, image.Length));
            int body = image.Length - TestImages.TrailerSize;
            Assert.AreEqual(1, progress.Calls);
            Assert.AreEqual(body, progress.LastDone);
            Assert.AreEqual(body, progress.LastTotal);

            // A bad hash ends before the signature check: no call.
            progress.Calls = 0;
            Assert.AreEqual(ImageVerifyResult.BadHash, Flipped(verifier, image, ImageFormat.HeaderSize + 5, 0x02));
            Assert.AreEqual(0, progress.Calls);
        }

        private sealed class CountingProgress : IWorkProgress
        {
            public int Calls;
            public int LastDone;
            public int LastTotal;

            public void Progress(int bytesDone, int bytesTotal)
            {
                Calls++;
                LastDone = bytesDone;
                LastTotal = bytesTotal;
            }
        }

        [TestMethod]
        public void AFlippedHeaderByteIsRefused()
        {
            byte[] image = TestImages.Factory100();
            ImageVerifier verifier = TestImages.NewVerifier();
            for (int i = 0; i < ImageFormat.HeaderSize; i++)
            {
                AssertRefused(verifier, image, i, 0x01);
                AssertRefused(verifier, image, i, 0x80);
            }
        }

        [TestMethod]
        public void AFlippedPayloadByteIsRefusedAsABadHash()
        {
            byte[] image = TestImages.Factory100();
            ImageVerifier verifier = TestImages.NewVerifier();
            int[] at = { ImageFormat.HeaderSize, ImageFormat.HeaderSize + 1, 255, 256, 1000, 2047, 2048, ImageFormat.HeaderSize + 2999 };
            for (int i = 0; i < at.Length; i++)
            {
                Assert.AreEqual(ImageVerifyResult.BadHash, Flipped(verifier, image, at[i], 0x10), "payload byte " + at[i].ToString());
            }
        }

        [TestMethod]
        public void AFlippedSignatureByteIsRefusedAsABadSignature()
        {
            byte[] image = TestImages.Factory100();
            ImageVerifier verifier = TestImages.NewVerifier();
            int signature = TestImages.SignatureOffset(image);
            // Both ends and the middle of r and of s, then every seventh byte (each is one full ECDSA verification).
            int[] at = { 0, 1, 16, 31, 32, 33, 48, 63 };
            for (int i = 0; i < at.Length; i++)
            {
                Assert.AreEqual(ImageVerifyResult.BadSignature, Flipped(verifier, image, signature + at[i], 0x01), "signature byte " + at[i].ToString());
            }

            for (int i = 2; i < ImageFormat.SignatureSize; i += 7)
            {
                Assert.AreEqual(ImageVerifyResult.BadSignature, Flipped(verifier, image, signature + i, 0x40), "signature byte " + i.ToString());
            }
        }

        [TestMethod]
        public void AFlippedDigestOrKeyHashByteIsRefused()
        {
            // The trailer itself is not signed (an unknown entry is skipped, the key hash is optional);
            // what it carries is checked: the digest against the hash of the image, the key hash against the key.
            byte[] image = TestImages.Update120();
            ImageVerifier verifier = TestImages.NewVerifier();
            int keyHash = image.Length - TestImages.TrailerSize + ImageFormat.TrailerInfoSize + ImageFormat.EntryHeaderSize;
            int digest = keyHash + ImageFormat.Sha256Size + ImageFormat.EntryHeaderSize;
            for (int i = 0; i < ImageFormat.Sha256Size; i++)
            {
                Assert.AreEqual(ImageVerifyResult.BadSignature, Flipped(verifier, image, keyHash + i, 0x04), "key hash byte " + i.ToString());
                Assert.AreEqual(ImageVerifyResult.BadHash, Flipped(verifier, image, digest + i, 0x04), "digest byte " + i.ToString());
            }

            Assert.AreEqual(ImageVerifyResult.Truncated, Flipped(verifier, image, image.Length - TestImages.TrailerSize, 0x01), "trailer magic");
        }

        [TestMethod]
        public void AnImageSignedByAnotherKeyIsRefusedWithOrWithoutItsKeyHash()
        {
            ImageVerifier verifier = TestImages.NewVerifier();
            byte[] withHash = TestImages.SignedByAnotherKey(true);
            Assert.AreEqual(ImageVerifyResult.BadSignature, verifier.Verify(new ArrayFlash(withHash), 0, Slot, withHash.Length));
            byte[] without = TestImages.SignedByAnotherKey(false);
            Assert.AreEqual(ImageVerifyResult.BadSignature, verifier.Verify(new ArrayFlash(without), 0, Slot, without.Length));

            // The same image is good under the key that signed it: the refusal is the key's, not a broken image's.
            ImageVerifier other = new ImageVerifier(new CoreFirmware.Ota.Crypto.ManagedImageCrypto(), TestImages.OtherKey, SparkCoreBoard.ImageBoardId);
            Assert.AreEqual(ImageVerifyResult.Ok, other.Verify(new ArrayFlash(without), 0, Slot, without.Length));
        }

        [TestMethod]
        public void NegativeRunWithoutTheSignatureCheckARehashedForgeryIsAccepted()
        {
            // A forger changes the payload and writes the new SHA-256 into the trailer: only the signature stops it.
            byte[] forged = TestImages.Factory100();
            forged[ImageFormat.HeaderSize + 10] ^= 0xFF;
            int body = forged.Length - TestImages.TrailerSize;
            byte[] digest = TestImages.Sha256Of(forged, 0, body);
            int digestAt = body + ImageFormat.TrailerInfoSize + ImageFormat.EntryHeaderSize + ImageFormat.Sha256Size + ImageFormat.EntryHeaderSize;
            System.Array.Copy(digest, 0, forged, digestAt, 32);

            Assert.AreEqual(ImageVerifyResult.BadSignature, TestImages.NewVerifier().Verify(new ArrayFlash(forged), 0, Slot, forged.Length));
            ImageVerifier switchedOff = new ImageVerifier(new YesCrypto(), TestImages.ImageKey, SparkCoreBoard.ImageBoardId);
            Assert.AreEqual(ImageVerifyResult.Ok, switchedOff.Verify(new ArrayFlash(forged), 0, Slot, forged.Length));
        }

        [TestMethod]
        public void ShortOversizeAndForeignImagesGetTheirVerdicts()
        {
            ImageVerifier verifier = TestImages.NewVerifier();
            byte[] image = TestImages.Update120();
            ArrayFlash flash = new ArrayFlash(image);
            Assert.AreEqual(ImageVerifyResult.Truncated, verifier.Verify(flash, 0, Slot, 31), "no whole header");
            Assert.AreEqual(ImageVerifyResult.Truncated, verifier.Verify(flash, 0, Slot, image.Length - 1), "one byte short");
            Assert.AreEqual(ImageVerifyResult.Truncated, verifier.Verify(flash, 0, Slot, ImageFormat.HeaderSize + 2200), "no trailer");
            Assert.AreEqual(ImageVerifyResult.TooLarge, verifier.Verify(flash, 0, 2000, image.Length), "more than the slot");
            Assert.AreEqual(ImageVerifyResult.TooLarge, verifier.Verify(flash, 0, image.Length - 10, image.Length - 10), "declared payload beyond the slot");
            Assert.AreEqual(0, verifier.ImageLength);

            byte[] foreign = TestImages.Unsigned(1, 0, 0, 500, 0x11223344);
            Assert.AreEqual(ImageVerifyResult.WrongBoard, verifier.Verify(new ArrayFlash(foreign), 0, Slot, foreign.Length));
            byte[] zeros = new byte[600];
            Assert.AreEqual(ImageVerifyResult.BadMagic, verifier.Verify(new ArrayFlash(zeros), 0, Slot, zeros.Length));
            byte[] future = TestImages.Update120();
            future[4] = 2; // format version 2
            Assert.AreEqual(ImageVerifyResult.UnsupportedVersion, verifier.Verify(new ArrayFlash(future), 0, Slot, future.Length));
        }

        private static ImageVerifyResult Flipped(ImageVerifier verifier, byte[] image, int at, int mask)
        {
            image[at] ^= (byte)mask;
            ImageVerifyResult r = verifier.Verify(new ArrayFlash(image), 0, Slot, image.Length);
            image[at] ^= (byte)mask;
            return r;
        }

        private static void AssertRefused(ImageVerifier verifier, byte[] image, int at, int mask)
        {
            ImageVerifyResult r = Flipped(verifier, image, at, mask);
            Assert.IsTrue(r != ImageVerifyResult.Ok, "byte " + at.ToString() + " ^ " + mask.ToString() + " was accepted");
        }
    }
}
