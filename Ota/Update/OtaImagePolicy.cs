using System;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Ota.Image;

namespace CoreFirmware.Ota.Update
{
    /// <summary>
    /// What <see cref="OtaService"/> accepts: signed images (<see cref="ImageFormat"/>) for this board,
    /// signed with the device's image key, never older than the security counter (the highest version
    /// ever confirmed, BootState.SecurityCounter), not older than the running image unless
    /// <see cref="AllowDowngrade"/>, and not the running image's version unless the cloud asked for a
    /// re-install (<see cref="ReinstallRequested"/>). The header gate (<see cref="CheckHeader"/>) runs on chunk 0
    /// before the staging slot is touched; the full <see cref="Verifier"/> runs on the staging slot
    /// at UpdateDone. See Ota/Boot/BOOT-DESIGN.md "Image version and downgrade".
    /// </summary>
    /// <remarks>
    /// Allocation: the header buffer and the verifier's buffers are allocated in the constructor;
    /// <see cref="CheckHeader"/> allocates nothing (its reasons are string literals). Not thread-safe:
    /// one policy per OtaService (it runs on the cloud link's thread).
    /// </remarks>
    public class OtaImagePolicy
    {
        /// <summary>Reason: not a signed image of a format this firmware reads (or its size disagrees with the header).</summary>
        public const string ReasonBadImage = "bad image";

        /// <summary>Reason: the image is built for another board.</summary>
        public const string ReasonWrongBoard = "wrong board";

        /// <summary>Reason: header + payload + trailer cannot fit the staging slot.</summary>
        public const string ReasonTooLarge = "too large";

        /// <summary>Reason: the image is older than the running one and downgrades are not allowed.</summary>
        public const string ReasonDowngrade = "downgrade refused";

        /// <summary>Reason: the image has the running image's version and the cloud did not ask for a re-install (a replay).</summary>
        public const string ReasonSameVersion = "same version";

        /// <summary>Reason: the signature does not verify with the device's image key.</summary>
        public const string ReasonBadSignature = "bad signature";

        /// <summary>Reason: the SHA-256 entry is missing or does not match header + payload.</summary>
        public const string ReasonBadHash = "bad hash";

        /// <summary>Reason: fewer bytes than the header declares, or a malformed trailer.</summary>
        public const string ReasonTruncated = "truncated";

        private readonly ImageVerifier _verifier;
        private readonly uint _boardId;
        private readonly ImageHeader _header = new ImageHeader();
        private uint _activeVersion;
        private uint _securityCounter;
        private bool _allowDowngrade;
        private bool _reinstall;

        /// <summary>Creates the policy.</summary>
        /// <param name="verifier">Verifies images with the device's image public key (DeviceKeys.ImagePublicKey) for this board.</param>
        /// <param name="boardId">This board's image board id (SystemParts.ImageBoardId).</param>
        /// <param name="activeVersion">Packed version of the running image (BootState.ActiveVersion; 0 when unknown).</param>
        public OtaImagePolicy(ImageVerifier verifier, uint boardId, uint activeVersion)
            : this(verifier, boardId, activeVersion, 0)
        {
        }

        /// <summary>Creates the policy with the board's security counter.</summary>
        /// <param name="verifier">Verifies images with the device's image public key (DeviceKeys.ImagePublicKey) for this board.</param>
        /// <param name="boardId">This board's image board id (SystemParts.ImageBoardId).</param>
        /// <param name="activeVersion">Packed version of the running image (BootState.ActiveVersion; 0 when unknown).</param>
        /// <param name="securityCounter">The highest version ever confirmed (BootState.SecurityCounter).</param>
        public OtaImagePolicy(ImageVerifier verifier, uint boardId, uint activeVersion, uint securityCounter)
        {
            if (verifier == null) throw new ArgumentNullException("verifier");
            _verifier = verifier;
            _boardId = boardId;
            _activeVersion = activeVersion;
            _securityCounter = securityCounter;
        }

        /// <summary>The verifier run over the staging slot at UpdateDone.</summary>
        public ImageVerifier Verifier
        {
            get { return _verifier; }
        }

        /// <summary>The board id images must carry.</summary>
        public uint BoardId
        {
            get { return _boardId; }
        }

        /// <summary>Packed version (<see cref="PackedImageVersion"/>) of the running image.</summary>
        public uint ActiveVersion
        {
            get { return _activeVersion; }
            set { _activeVersion = value; }
        }

        /// <summary>The anti-rollback floor: images below it are refused whatever <see cref="AllowDowngrade"/> says.</summary>
        public uint SecurityCounter
        {
            get { return _securityCounter; }
            set { _securityCounter = value; }
        }

        /// <summary>The update under way asked for a re-install: an image of the running version is
        /// accepted (OtaService sets it from the UpdateBegin flags, SparkProtocol.UpdateFlagReinstall).</summary>
        public bool ReinstallRequested
        {
            get { return _reinstall; }
            set { _reinstall = value; }
        }

        /// <summary>Accept images older than <see cref="ActiveVersion"/>, down to <see cref="SecurityCounter"/> (default false).</summary>
        public bool AllowDowngrade
        {
            get { return _allowDowngrade; }
            set { _allowDowngrade = value; }
        }

        /// <summary>
        /// The check at UpdateDone, before the pending state is written: the image as it lies in the
        /// staging slot (<see cref="Verifier"/>: sizes, hash, signature), then the version rules.
        /// Returns null when it passes, else the reason. Flash errors propagate.
        /// </summary>
        public virtual string CheckStaged(IFlashReader flash, int slotAddress, int slotSize, int imageLength)
        {
            string verdict = ReasonOf(_verifier.Verify(flash, slotAddress, slotSize, imageLength));
            if (verdict == null) verdict = VersionRefusal(_verifier.Header);
            return verdict;
        }

        /// <summary>The header read by the last <see cref="CheckHeader"/>.</summary>
        public ImageHeader Header
        {
            get { return _header; }
        }

        /// <summary>
        /// The header gate: checks the 32-byte header at b[offset] of an image whose whole file is
        /// <paramref name="fileSize"/> bytes, for a slot of <paramref name="slotSize"/> bytes.
        /// Returns null when it passes, else the reason: <see cref="ReasonBadImage"/> (magic, format,
        /// or a file size that is not header + payload + a trailer of
        /// <see cref="ImageFormat.MinTrailerSize"/>..<see cref="ImageFormat.MaxTrailerSize"/> bytes),
        /// <see cref="ReasonWrongBoard"/>, <see cref="ReasonTooLarge"/>, <see cref="ReasonDowngrade"/>,
        /// <see cref="ReasonSameVersion"/>.
        /// </summary>
        public string CheckHeader(byte[] b, int offset, int fileSize, int slotSize)
        {
            _header.Read(b, offset);
            ImageVerifyResult r = _header.Check(_boardId, slotSize);
            if (r == ImageVerifyResult.WrongBoard) return ReasonWrongBoard;
            if (r == ImageVerifyResult.TooLarge) return ReasonTooLarge;
            if (r != ImageVerifyResult.Ok) return ReasonBadImage;

            // Check passed, so header + payload + min trailer fits the slot (an int).
            int body = ImageFormat.HeaderSize + (int)_header.PayloadSize;
            if (fileSize < body + ImageFormat.MinTrailerSize || fileSize > body + ImageFormat.MaxTrailerSize) return ReasonBadImage;
            return VersionRefusal(_header);
        }

        /// <summary>True when <paramref name="header"/>'s version is below the security counter, or older
        /// than the running image while downgrades are not allowed.</summary>
        public bool IsDowngrade(ImageHeader header)
        {
            if (header == null) throw new ArgumentNullException("header");
            uint version = PackedImageVersion.Of(header);
            return version < _securityCounter || (!_allowDowngrade && version < _activeVersion);
        }

        /// <summary>The version gate alone: null when <paramref name="header"/>'s version is accepted, else
        /// <see cref="ReasonDowngrade"/> or <see cref="ReasonSameVersion"/>.</summary>
        public string VersionRefusal(ImageHeader header)
        {
            if (IsDowngrade(header)) return ReasonDowngrade;
            if (!_reinstall && _activeVersion != 0 && PackedImageVersion.Of(header) == _activeVersion) return ReasonSameVersion;
            return null;
        }

        /// <summary>The reason text for a verifier result (null for Ok).</summary>
        public static string ReasonOf(ImageVerifyResult result)
        {
            switch (result)
            {
                case ImageVerifyResult.Ok:
                    return null;
                case ImageVerifyResult.WrongBoard:
                    return ReasonWrongBoard;
                case ImageVerifyResult.TooLarge:
                    return ReasonTooLarge;
                case ImageVerifyResult.Truncated:
                    return ReasonTruncated;
                case ImageVerifyResult.BadHash:
                    return ReasonBadHash;
                case ImageVerifyResult.BadSignature:
                    return ReasonBadSignature;
                default:
                    return ReasonBadImage;
            }
        }
    }
}
