using System;
using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Status;

namespace CoreFirmware.Ota.Update
{
    /// <summary>
    /// The device's OTA state machine (OTA-DESIGN.md "OTA transfer"), for slow and fast OTA. It runs
    /// on the cloud link's thread: the link hands it UpdateBegin / Chunk / UpdateDone and calls
    /// <see cref="Poll"/> a few times a second.
    /// </summary>
    /// <remarks>
    /// <para>UpdateBegin: the parameters are checked (size against the staging slot, chunk
    /// count against the received-chunk bitmap) and a refusal (4.00 + ASCII reason) touches neither
    /// flash nor user networking. Accepted: user networking is preempted through the
    /// <see cref="SocketBroker"/>, then UpdateReady (2.04, the UpdateBegin's token) goes out. Neither
    /// the staging slot nor the boot state is touched yet.</para>
    /// <para>Header gate (chunk 0, which holds the image's 32-byte header): <see cref="OtaImagePolicy.CheckHeader"/>
    /// refuses a bad magic/format or a file size that disagrees with the header ("bad image"), another
    /// board ("wrong board"), an image that cannot fit the slot ("too large") and an older version
    /// ("downgrade refused"); a refusal aborts at once (slow OTA: the chunk is answered 4.00 + reason)
    /// with the staging slot and the boot state untouched. Only when the header passes is a stale
    /// Pending state cleared (BOOT-DESIGN: staging is never written while Pending) and the staging
    /// slot erased and programmed. Fast OTA: a chunk that arrives before chunk 0 is not written and
    /// counts as missing (ChunkMissed asks for it again).</para>
    /// <para>Chunk: CRC32 (first Uri-Query) checked over the payload as sent (the last chunk is
    /// zero-padded); the chunk goes to index = second Uri-Query when present (fast OTA; read as a
    /// u16 big-endian number as our cloud sends it — a deviation from spark-protocol 0.1.6, whose
    /// encoder for it is broken, see SparkMessages.ReadChunkIndex), else to the next sequential index. Only the image's bytes are written (erase ahead, program, read-back CRC).
    /// Slow OTA (UpdateBegin flags bit 0 clear) answers every chunk: ChunkReceived 2.04 or
    /// ChunkReceivedError 4.00. Fast OTA answers none; a bad chunk is treated as missing.</para>
    /// <para>Fast OTA gaps: when no chunk came for <see cref="FastGapMilliseconds"/> while chunks are
    /// missing, or when UpdateDone arrives with gaps, ChunkMissed lists the first (up to 10) missing
    /// indexes; repeated every gap interval while they stay missing. The UpdateDone is held and
    /// answered when the last gap fills.</para>
    /// <para>UpdateDone: every chunk received, the staging slot re-read and its CRC32 compared with
    /// the CRC32 of the bytes received (<see cref="ImageCrcAccumulator"/>, order independent), then the
    /// signed image verified in place (<see cref="ImageVerifier"/>: digest and signature with the
    /// device's image key); anything but Ok aborts with the verdict as reason ("bad signature", "bad
    /// hash", "truncated", ...), no pending state written. Ok: the pending state written (with
    /// BootStateFlags.KeepBackup when the running image is still Testing), 2.04 sent, event
    /// "pending &lt;size&gt; &lt;crc32hex&gt;", reboot requested.</para>
    /// <para>Versions (Ota/Boot/BOOT-DESIGN.md, "Security counter"): the header gate refuses an image
    /// below the security counter or older than the running one ("downgrade refused") and one of the
    /// running version ("same version") unless UpdateBegin carried SparkProtocol.UpdateFlagReinstall;
    /// the Pending write checks again against the boot state as it is then, under its lock.</para>
    /// <para>A revert request (<see cref="CancelForRevert"/>, from the running image's deployment
    /// control on any thread) ends a transfer in flight at the next message or poll ("revert
    /// pending", in the event and in the answer to that message) and refuses every later update of
    /// this boot; the Pending write is refused while the boot state is RollbackPending, so an update
    /// that reached UpdateDone first cannot overtake the revert either.</para>
    /// <para>Abort paths — timeout (<see cref="TransferTimeoutMilliseconds"/> without an OTA message),
    /// link lost, more than 10 bad CRCs on one chunk or 50 in all, header refused, verify failure, flash exception:
    /// preemption released, pending record NOT written, state Idle, event "aborted: &lt;reason&gt;"
    /// (held and sent after the next Hello when the link is down).</para>
    /// <para>Bitmap size: one bit per chunk of the slot at the smallest chunk size it is sized for,
    /// <see cref="MinChunkSize"/> = 256 (spark-protocol's default): 640 KB / 256 = 2560 bits = 320 bytes.
    /// Smaller chunk sizes are accepted when the image still has at most that many chunks.</para>
    /// <para>Allocation: none per chunk (responses, the header gate and flash writes use preallocated
    /// buffers; the verifier is allocated once, by its owner); abort and completion paths build a
    /// status string.</para>
    /// </remarks>
    public sealed class OtaService : IUpdateMessageHandler
    {
        /// <summary>Chunk size the received-chunk bitmap is sized for (spark-protocol's default chunk).</summary>
        public const int MinChunkSize = SparkProtocol.DefaultChunkSize;

        /// <summary>Bad CRCs tolerated on one chunk; the next one aborts (OTA-DESIGN: "more than 10").</summary>
        public const int MaxBadCrcPerChunk = 10;

        /// <summary>Bad CRCs tolerated in one transfer; the next one aborts (OTA-DESIGN: "50 in total").</summary>
        public const int MaxBadCrcTotal = 50;

        /// <summary>Indexes per ChunkMissed message (spark-protocol's MAX_MISSED_CHUNKS).</summary>
        public const int MaxMissedPerMessage = SparkProtocol.MaxMissedChunks;

        /// <summary>Default abort timeout: 10 s without an OTA message (OTA-DESIGN).</summary>
        public const int DefaultTransferTimeoutMilliseconds = 10000;

        /// <summary>
        /// Default fast-OTA pause that triggers a ChunkMissed: 300 ms, well inside the ~1 s the cloud
        /// waits after its last chunk before UpdateDone.
        /// </summary>
        public const int DefaultFastGapMilliseconds = 300;

        /// <summary>How long UpdateBegin waits for user networking to go quiet before erasing (flash outranks user traffic anyway).</summary>
        public const int PreemptionQuietWaitMilliseconds = 2000;

        /// <summary>The event the status goes out as (private: "E/corefw/ota").</summary>
        public const string EventName = "corefw/ota";

        // Longest text: "aborted: too many bad chunks" / "pending 655360 xxxxxxxx".
        private const int TextCapacity = 64;

        private readonly IOtaChannel _channel;
        private readonly IUserNetworkPreemption _broker;
        private readonly StagingWriter _staging;
        private readonly BootStateRecord _bootState;
        private readonly IClock _clock;
        private readonly ISystemControl _system;
        private readonly OtaImagePolicy _policy;
        private readonly UpdateParameters _params = new UpdateParameters();
        private readonly ImageCrcAccumulator _crc = new ImageCrcAccumulator();
        private readonly OtaVerifyProgress _verifyProgress;
        private readonly int _maxChunks;
        private readonly int[] _bitmap;
        private readonly int[] _missed = new int[MaxMissedPerMessage];
        private readonly byte[] _doneToken = new byte[CoapMessage.MaxTokenLength];
        private readonly byte[] _text = new byte[TextCapacity];
        private readonly byte[] _eventText = new byte[TextCapacity];

        private int _state;
        private bool _fast;
        private int _imageSize;
        private int _chunkSize;
        private int _chunkCount;
        private int _chunksReceived;
        private int _bytesReceived;
        private int _nextSequential;
        private int _badTotal;
        private int _badCurrent;
        private int _lastBadIndex;
        private int _duplicates;
        private int _resends;
        private int _missedMessages;
        private int _strayMessages;
        private long _lastMessageMs;
        private long _lastChunkMs;
        private long _lastMissedMs;
        private bool _donePending;
        private bool _headerAccepted;
        private int _doneTokenLength;
        private int _eventLength;
        private bool _eventUnsent;
        private int _updatesBegun;
        private int _updatesCompleted;
        private int _updatesAborted;
        private int _refusals;
        private string _lastAbortReason = "";
        private string _lastEvent = "";
        private string _lastRefusal = "";
        private int _transferTimeoutMs = DefaultTransferTimeoutMilliseconds;
        private int _revertRequested;
        private int _fastGapMs = DefaultFastGapMilliseconds;

        /// <summary>
        /// Creates the service. <paramref name="channel"/> is the cloud link; <paramref name="broker"/>
        /// the user's socket broker; <paramref name="staging"/> writes FlashMap.Staging;
        /// <paramref name="bootState"/> is the pending view of the boot state; <paramref name="policy"/>
        /// says which images are accepted (board, image key, version);
        /// <paramref name="system"/> reboots the board after success.
        /// </summary>
        public OtaService(IOtaChannel channel, IUserNetworkPreemption broker, StagingWriter staging, BootStateRecord bootState,
            OtaImagePolicy policy, IClock clock, ISystemControl system)
        {
            if (channel == null) throw new ArgumentNullException("channel");
            if (broker == null) throw new ArgumentNullException("broker");
            if (staging == null) throw new ArgumentNullException("staging");
            if (bootState == null) throw new ArgumentNullException("bootState");
            if (policy == null) throw new ArgumentNullException("policy");
            if (clock == null) throw new ArgumentNullException("clock");
            if (system == null) throw new ArgumentNullException("system");
            _channel = channel;
            _broker = broker;
            _staging = staging;
            _bootState = bootState;
            _policy = policy;
            _clock = clock;
            _system = system;
            _maxChunks = (staging.SlotSize + MinChunkSize - 1) / MinChunkSize;
            _bitmap = new int[(_maxChunks + 31) / 32];
            // The checks at UpdateDone run for many seconds on a slow CPU: they check in and keep the link alive.
            _verifyProgress = new OtaVerifyProgress(channel, clock);
            staging.Progress = _verifyProgress;
            policy.Verifier.Progress = _verifyProgress;

            // A boot that finds an image pending says so again once the link is up: the event sent
            // just before the reboot may have died with the old boot's socket.
            if (bootState.State == BootImageState.Pending)
            {
                PublishStatus("pending ", bootState.ImageSize, bootState.ImageCrc);
            }
        }

        // ------------------------------------------------------------------ status

        /// <summary>Where the service is.</summary>
        public OtaState State { get { return (OtaState)_state; } }

        /// <summary>The progress hook of the checks at UpdateDone (set on the staging writer and the policy's verifier).</summary>
        public OtaVerifyProgress VerifyProgress { get { return _verifyProgress; } }

        /// <summary>The system watchdog the checks at UpdateDone check in (null: none).</summary>
        public SystemWatchdog Watchdog
        {
            get { return _verifyProgress.Watchdog; }
            set { _verifyProgress.Watchdog = value; }
        }

        /// <summary>What images are accepted (set <see cref="OtaImagePolicy.AllowDowngrade"/> here).</summary>
        public OtaImagePolicy Policy { get { return _policy; } }

        /// <summary>True once chunk 0 of the running (or last) update passed the header gate.</summary>
        public bool HeaderAccepted { get { return _headerAccepted; } }

        /// <summary>True when the running (or last) update is fast OTA.</summary>
        public bool FastOta { get { return _fast; } }

        /// <summary>Image bytes written so far in this update.</summary>
        public int BytesReceived { get { return _bytesReceived; } }

        /// <summary>Image size announced by the running (or last) update.</summary>
        public int TotalBytes { get { return _imageSize; } }

        /// <summary>Distinct chunks received in this update.</summary>
        public int ChunksReceived { get { return _chunksReceived; } }

        /// <summary>Chunks of the running (or last) update.</summary>
        public int ChunkCount { get { return _chunkCount; } }

        /// <summary>Chunks asked for again: ChunkReceivedError answers plus indexes listed in ChunkMissed.</summary>
        public int Resends { get { return _resends; } }

        /// <summary>Chunks whose CRC (or shape) was wrong in this update.</summary>
        public int BadChunks { get { return _badTotal; } }

        /// <summary>Chunks received again after they were already written.</summary>
        public int DuplicateChunks { get { return _duplicates; } }

        /// <summary>ChunkMissed messages sent in this update.</summary>
        public int MissedRequests { get { return _missedMessages; } }

        /// <summary>Chunks and UpdateDones that came with no update running.</summary>
        public int StrayMessages { get { return _strayMessages; } }

        /// <summary>Updates accepted since start.</summary>
        public int UpdatesBegun { get { return _updatesBegun; } }

        /// <summary>Updates that ended with a pending image.</summary>
        public int UpdatesCompleted { get { return _updatesCompleted; } }

        /// <summary>Updates that ended in an abort (refusals of a too-large image included).</summary>
        public int UpdatesAborted { get { return _updatesAborted; } }

        /// <summary>UpdateBegins answered with 4.00.</summary>
        public int Refusals { get { return _refusals; } }

        /// <summary>Reason of the last abort ("" before any): timeout, disconnect, too many bad chunks, too large, verify failed,
        /// flash error, or an image verdict (bad image, wrong board, downgrade refused, bad signature, bad hash, truncated).</summary>
        public string LastAbortReason { get { return _lastAbortReason; } }

        /// <summary>Reason given in the last 4.00 answer to an UpdateBegin ("" before any).</summary>
        public string LastRefusal { get { return _lastRefusal; } }

        /// <summary>Text of the last status event ("pending ..." or "aborted: ..."), sent or not.</summary>
        public string LastEvent { get { return _lastEvent; } }

        /// <summary>True when the last status event could not be sent yet (it goes out after the next Hello).</summary>
        public bool EventUnsent { get { return _eventUnsent; } }

        /// <summary>Largest chunk count the bitmap holds (slot size / <see cref="MinChunkSize"/>).</summary>
        public int MaxChunks { get { return _maxChunks; } }

        /// <summary>Abort after this long without an OTA message (default 10 s).</summary>
        public int TransferTimeoutMilliseconds
        {
            get { return _transferTimeoutMs; }
            set
            {
                if (value <= 0) throw new ArgumentOutOfRangeException("value");
                _transferTimeoutMs = value;
            }
        }

        /// <summary>Fast OTA: a pause this long with chunks missing sends ChunkMissed (default 300 ms).</summary>
        public int FastGapMilliseconds
        {
            get { return _fastGapMs; }
            set
            {
                if (value <= 0) throw new ArgumentOutOfRangeException("value");
                _fastGapMs = value;
            }
        }

        // ------------------------------------------------------------------ link events

        /// <inheritdoc />
        /// <summary>
        /// Called at the boot that installed an image: sends event "installed &lt;size&gt; &lt;crc32hex&gt;"
        /// (held until the link is up). The "pending" event of the boot before may have died with its socket.
        /// </summary>
        public void AnnounceInstalled(int size, uint crc)
        {
            if (size <= 0) throw new ArgumentOutOfRangeException("size");
            PublishStatus("installed ", size, crc);
        }

        /// <summary>
        /// The running image asked for a revert (DeploymentControl.RequestDeploymentRevert): the transfer in
        /// flight, if any, is aborted with reason "revert pending" at the next message or <see cref="Poll"/>,
        /// and every update is refused until the reboot. Safe to call from any thread.
        /// </summary>
        public void CancelForRevert()
        {
            Interlocked.Exchange(ref _revertRequested, 1);
        }

        /// <summary>True once <see cref="CancelForRevert"/> was called.</summary>
        public bool RevertRequested
        {
            get { return Interlocked.CompareExchange(ref _revertRequested, 0, 0) != 0; }
        }

        /// <inheritdoc />
        public void OnLinkUp()
        {
            if (_eventUnsent && _channel.Publish(EventName, _eventText, 0, _eventLength))
            {
                _eventUnsent = false;
            }
        }

        /// <inheritdoc />
        public void OnLinkDown()
        {
            if (_state == (int)OtaState.Receiving)
            {
                Abort("disconnect", false);
            }
        }

        /// <inheritdoc />
        public void OnMessage(MessageKind kind, CoapMessage message)
        {
            if (message == null) return;
            if (RevertRequested && RefuseForRevert(kind, message)) return;
            switch (kind)
            {
                case MessageKind.UpdateBegin:
                    HandleBegin(message);
                    break;
                case MessageKind.Chunk:
                    HandleChunk(message);
                    break;
                case MessageKind.UpdateDone:
                    HandleDone(message);
                    break;
            }
        }

        /// <inheritdoc />
        public void Poll()
        {
            if (_state != (int)OtaState.Receiving) return;
            if (RevertRequested)
            {
                Abort(BootStateRecord.ReasonRevertPending, _donePending);
                return;
            }

            long now = _clock.UptimeMilliseconds;
            if (now - _lastMessageMs > _transferTimeoutMs)
            {
                Abort("timeout", _donePending);
                return;
            }

            if (_fast && _chunksReceived < _chunkCount && now - _lastChunkMs >= _fastGapMs
                && now - _lastMissedMs >= _fastGapMs)
            {
                RequestMissing(now);
            }
        }

        // A revert was requested: end the transfer in flight and answer OTA messages 4.00 "revert pending".
        private bool RefuseForRevert(MessageKind kind, CoapMessage m)
        {
            if (kind != MessageKind.UpdateBegin && kind != MessageKind.Chunk && kind != MessageKind.UpdateDone) return false;
            if (_state == (int)OtaState.Receiving) Abort(BootStateRecord.ReasonRevertPending, _donePending);
            if (kind == MessageKind.UpdateBegin)
            {
                Refuse(m, BootStateRecord.ReasonRevertPending);
                return true;
            }

            if (kind == MessageKind.Chunk && _fast) return true; // fast OTA answers no chunk
            _strayMessages++;
            int n = Ascii.Put(BootStateRecord.ReasonRevertPending, _text, 0);
            _channel.SendResponse(m.Token, m.TokenLength, CoapCode.BadRequest, _text, 0, n);
            return true;
        }

        // ------------------------------------------------------------------ UpdateBegin

        private void HandleBegin(CoapMessage m)
        {
            if (_params.Read(m) != CoapResult.Ok)
            {
                Refuse(m, "bad parameters");
                return;
            }

            if (_state == (int)OtaState.Receiving)
            {
                // The cloud repeats UpdateBegin when UpdateReady was slow: answer it again if nothing moved yet.
                if (_chunksReceived == 0 && _params.HasPayload && (int)_params.FileSize == _imageSize
                    && _params.ChunkSize == _chunkSize && _params.FastOta == _fast)
                {
                    _lastMessageMs = _clock.UptimeMilliseconds;
                    _channel.SendResponse(m.Token, m.TokenLength, CoapCode.Changed, null, 0, 0);
                    return;
                }

                Refuse(m, "busy");
                return;
            }

            if (_state == (int)OtaState.RebootPending)
            {
                Refuse(m, "busy");
                return;
            }

            if (!_params.HasPayload || _params.FileSize == 0)
            {
                Refuse(m, "size unknown");
                return;
            }

            if (_params.Destination != UpdateParameters.DestinationFirmware)
            {
                Refuse(m, "bad destination");
                return;
            }

            if (_params.FileSize > (uint)_staging.SlotSize)
            {
                // Refused before anything is erased or preempted.
                Refuse(m, "too large");
                _updatesAborted++;
                _lastAbortReason = "too large";
                PublishStatus("aborted: too large", 0, 0);
                return;
            }

            int size = (int)_params.FileSize;
            if (size < ImageFormat.HeaderSize)
            {
                Refuse(m, OtaImagePolicy.ReasonBadImage);
                return;
            }

            int chunks = (size - 1) / _params.ChunkSize + 1;
            if (chunks > _maxChunks || _params.ChunkSize < ImageFormat.HeaderSize)
            {
                // Chunk 0 must hold the whole header for the header gate.
                Refuse(m, "chunk size too small");
                return;
            }

            // Accept.
            _updatesBegun++;
            _state = (int)OtaState.Receiving;
            _fast = _params.FastOta;
            _imageSize = size;
            _chunkSize = _params.ChunkSize;
            _chunkCount = chunks;
            _chunksReceived = 0;
            _bytesReceived = 0;
            _nextSequential = 0;
            _badTotal = 0;
            _badCurrent = 0;
            _lastBadIndex = -1;
            _duplicates = 0;
            _resends = 0;
            _missedMessages = 0;
            _donePending = false;
            _headerAccepted = false;
            _policy.ReinstallRequested = (_params.Flags & SparkProtocol.UpdateFlagReinstall) != 0;
            Array.Clear(_bitmap, 0, (chunks + 31) / 32);

            _broker.BeginPreemption();
            _broker.WaitQuiet(PreemptionQuietWaitMilliseconds);

            // No flash yet: the staging slot and the boot state change only after chunk 0's header passed.
            _staging.Begin(size);
            _crc.Begin(size, _chunkSize);

            long now = _clock.UptimeMilliseconds;
            _lastMessageMs = now;
            _lastChunkMs = now;
            _lastMissedMs = now;
            _channel.SendResponse(m.Token, m.TokenLength, CoapCode.Changed, null, 0, 0);
        }

        // ------------------------------------------------------------------ Chunk

        private void HandleChunk(CoapMessage m)
        {
            if (_state != (int)OtaState.Receiving)
            {
                _strayMessages++;
                return;
            }

            long now = _clock.UptimeMilliseconds;
            _lastMessageMs = now;
            uint crc;
            int index;
            bool ok = SparkMessages.ReadChunkCrc(m, out crc) == CoapResult.Ok;
            if (SparkMessages.ReadChunkIndex(m, out index) != CoapResult.Ok)
            {
                ok = false;
                index = -1;
            }

            bool answer = !_fast || index < 0;
            int idx = index >= 0 ? index : _nextSequential;
            int length = 0;
            if (ok)
            {
                if (idx >= _chunkCount)
                {
                    ok = false;
                }
                else
                {
                    length = ChunkLength(idx);
                    int payload = m.PayloadLength;
                    ok = payload >= length && payload <= _chunkSize
                        && Crc32.Compute(m.Buffer, m.PayloadOffset, payload) == crc;
                }
            }

            if (!ok)
            {
                _badTotal++;
                if (idx == _lastBadIndex)
                {
                    _badCurrent++;
                }
                else
                {
                    _lastBadIndex = idx;
                    _badCurrent = 1;
                }

                if (_badCurrent > MaxBadCrcPerChunk || _badTotal > MaxBadCrcTotal)
                {
                    Abort("too many bad chunks", _donePending);
                    return;
                }

                if (answer)
                {
                    _resends++;
                    _channel.SendResponse(m.Token, m.TokenLength, CoapCode.BadRequest, null, 0, 0);
                }

                return;
            }

            if (!_headerAccepted)
            {
                if (idx != 0)
                {
                    // Before chunk 0 nothing is written: the chunk stays missing and is asked for again.
                    if (answer) _channel.SendResponse(m.Token, m.TokenLength, CoapCode.BadRequest, null, 0, 0);
                    return;
                }

                if (!AcceptHeader(m, answer)) return;
            }

            _lastChunkMs = now;
            if (IsReceived(idx))
            {
                _duplicates++;
                if (answer)
                {
                    _channel.SendResponse(m.Token, m.TokenLength, CoapCode.Changed, null, 0, 0);
                }

                return;
            }

            bool written;
            try
            {
                written = _staging.WriteChunk(idx * _chunkSize, m.Buffer, m.PayloadOffset, length);
            }
            catch (Exception)
            {
                written = false;
            }

            if (!written)
            {
                Abort("flash error", _donePending);
                return;
            }

            MarkReceived(idx);
            _chunksReceived++;
            _bytesReceived += length;
            _crc.Add(idx, m.Buffer, m.PayloadOffset, length);
            if (idx == _lastBadIndex)
            {
                _badCurrent = 0;
                _lastBadIndex = -1;
            }

            if (idx >= _nextSequential)
            {
                _nextSequential = idx + 1;
            }

            if (answer)
            {
                _channel.SendResponse(m.Token, m.TokenLength, CoapCode.Changed, null, 0, 0);
            }

            if (_donePending && _chunksReceived == _chunkCount)
            {
                Finish();
            }
        }

        /// <summary>
        /// The header gate on chunk 0 (its CRC already checked). Refused: answer 4.00 + reason (when the
        /// chunk is answered) and abort, nothing written. Passed: clear a stale Pending state, then the
        /// caller writes the chunk. False when the update was aborted.
        /// </summary>
        private bool AcceptHeader(CoapMessage m, bool answer)
        {
            string reason = _policy.CheckHeader(m.Buffer, m.PayloadOffset, _imageSize, _staging.SlotSize);
            if (reason != null)
            {
                if (answer)
                {
                    int n = Ascii.Put(reason, _text, 0);
                    _channel.SendResponse(m.Token, m.TokenLength, CoapCode.BadRequest, _text, 0, n);
                }

                Abort(reason, _donePending);
                return false;
            }

            try
            {
                if (_bootState.Read())
                {
                    // The staging slot is about to change: a pending state pointing at it is stale.
                    _bootState.Erase();
                }
            }
            catch (Exception)
            {
                Abort("flash error", _donePending);
                return false;
            }

            _headerAccepted = true;
            return true;
        }

        // ------------------------------------------------------------------ UpdateDone

        private void HandleDone(CoapMessage m)
        {
            if (_state != (int)OtaState.Receiving)
            {
                _strayMessages++;
                int n = Ascii.Put(_state == (int)OtaState.RebootPending ? "busy" : "no update", _text, 0);
                _channel.SendResponse(m.Token, m.TokenLength, CoapCode.BadRequest, _text, 0, n);
                return;
            }

            long now = _clock.UptimeMilliseconds;
            _lastMessageMs = now;
            CopyDoneToken(m);
            if (_chunksReceived < _chunkCount)
            {
                if (_fast)
                {
                    _donePending = true;
                    RequestMissing(now);
                    return;
                }

                Abort("verify failed", true);
                return;
            }

            Finish();
        }

        private void Finish()
        {
            _verifyProgress.Begin();
            uint expected = _crc.Result;
            uint actual;
            try
            {
                actual = _staging.ReadCrc(0, _imageSize);
            }
            catch (Exception)
            {
                Abort("flash error", true);
                return;
            }

            if (actual != expected)
            {
                Abort("verify failed", true);
                return;
            }

            // The signed image as it lies in the staging slot: digest, signature, sizes.
            string verdict;
            try
            {
                verdict = _policy.CheckStaged(_staging.Flash, _staging.Slot.Start, _staging.SlotSize, _imageSize);
            }
            catch (Exception)
            {
                Abort("flash error", true);
                return;
            }

            if (verdict != null)
            {
                Abort(verdict, true);
                return;
            }

            bool recorded;
            try
            {
                recorded = _bootState.WritePending(_imageSize, expected, PackedImageVersion.Of(_policy.Header), _policy.ReinstallRequested);
            }
            catch (Exception)
            {
                recorded = false;
            }

            if (!recorded && _bootState.Refusal != null)
            {
                // The boot state refused (a revert is pending, or the version no longer passes): nothing was written.
                Abort(_bootState.Refusal, true);
                return;
            }

            if (!recorded)
            {
                try
                {
                    _bootState.Erase();
                }
                catch (Exception)
                {
                    // A torn record fails its CRC at boot: the old image runs either way.
                }

                Abort("flash error", true);
                return;
            }

            _donePending = false;
            _state = (int)OtaState.RebootPending;
            _updatesCompleted++;
            _channel.SendResponse(_doneToken, _doneTokenLength, CoapCode.Changed, null, 0, 0);
            PublishStatus("pending ", _imageSize, expected);
            _system.RequestReboot("ota: new image pending");
        }

        // ------------------------------------------------------------------ helpers

        private void RequestMissing(long now)
        {
            int n = 0;
            for (int i = 0; i < _chunkCount && n < MaxMissedPerMessage; i++)
            {
                if (!IsReceived(i))
                {
                    _missed[n++] = i;
                }
            }

            _lastMissedMs = now;
            if (n == 0) return;
            if (_channel.SendChunkMissed(_missed, 0, n))
            {
                _missedMessages++;
                _resends += n;
            }
        }

        private void Abort(string reason, bool answerDone)
        {
            if (answerDone)
            {
                int n = Ascii.Put(reason, _text, 0);
                _channel.SendResponse(_doneToken, _doneTokenLength, CoapCode.BadRequest, _text, 0, n);
            }

            _donePending = false;
            _updatesAborted++;
            _lastAbortReason = reason;
            _broker.EndPreemption();
            PublishStatus("aborted: " + reason, -1, 0);
            _state = (int)OtaState.Idle;
        }

        private void Refuse(CoapMessage m, string reason)
        {
            _refusals++;
            _lastRefusal = reason;
            int n = Ascii.Put(reason, _text, 0);
            _channel.SendResponse(m.Token, m.TokenLength, CoapCode.BadRequest, _text, 0, n);
        }

        // text, then (when size >= 0 and this is the pending form) "<size> <crc32hex>".
        private void PublishStatus(string text, int size, uint crc)
        {
            int n = Ascii.Put(text, _eventText, 0);
            if (size > 0)
            {
                n = Ascii.PutDecimal((uint)size, _eventText, n);
                if (n < _eventText.Length) _eventText[n++] = (byte)' ';
                n = Ascii.PutHex8(crc, _eventText, n);
            }

            _eventLength = n;
            _lastEvent = Ascii.ToText(_eventText, 0, n);
            _eventUnsent = !(_channel.IsConnected && _channel.Publish(EventName, _eventText, 0, n));
        }

        private void CopyDoneToken(CoapMessage m)
        {
            _doneTokenLength = m.TokenLength;
            Array.Copy(m.Token, 0, _doneToken, 0, _doneTokenLength);
        }

        private int ChunkLength(int index)
        {
            int offset = index * _chunkSize;
            int left = _imageSize - offset;
            return left < _chunkSize ? left : _chunkSize;
        }

        private bool IsReceived(int index)
        {
            return (_bitmap[index >> 5] & (1 << (index & 31))) != 0;
        }

        private void MarkReceived(int index)
        {
            _bitmap[index >> 5] |= 1 << (index & 31);
        }
    }
}
