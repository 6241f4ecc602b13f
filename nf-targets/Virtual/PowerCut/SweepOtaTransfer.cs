using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Update;

namespace CoreFirmware.Virtual.PowerCut;

/// <summary>
/// The cloud's side of one slow-OTA transfer, in process: UpdateBegin, every chunk in order (the
/// last zero-padded, CRC over the padded chunk, as the cloud sends it), UpdateDone, each encoded once
/// and handed to the device's <see cref="IUpdateMessageHandler"/> as the cloud link would (decoded
/// into a <see cref="CoapMessage"/>, on the calling thread). Every answer must be 2.04.
/// </summary>
public sealed class SweepOtaTransfer
{
    /// <summary>spark-protocol's default chunk (one SST25 program transaction).</summary>
    public const int ChunkSize = SparkProtocol.DefaultChunkSize;

    private readonly byte[][] _messages;
    private readonly int[] _lengths;

    /// <param name="image">The signed image.</param>
    /// <param name="flags">UpdateBegin flags (bit 1, SparkProtocol.UpdateFlagReinstall: the cloud asks for a re-install of the running version).</param>
    public SweepOtaTransfer(byte[] image, int flags = 0)
    {
        Image = image;
        int chunks = (image.Length + ChunkSize - 1) / ChunkSize;
        _messages = new byte[chunks + 2][];
        _lengths = new int[chunks + 2];
        var w = new CoapWriter();
        int id = 1;

        Encode(0, buffer => SparkMessages.UpdateBegin(w, buffer, 0, buffer.Length, id++, 1,
            new UpdateParameters { HasPayload = true, Flags = flags, ChunkSize = ChunkSize, FileSize = (uint)image.Length }), w);
        var chunk = new byte[ChunkSize];
        for (int i = 0; i < chunks; i++)
        {
            Array.Clear(chunk);
            int n = Math.Min(ChunkSize, image.Length - i * ChunkSize);
            Array.Copy(image, i * ChunkSize, chunk, 0, n);
            uint crc = Crc32.Compute(chunk, 0, ChunkSize);
            int token = 2 + i % 250;
            Encode(1 + i, buffer => SparkMessages.Chunk(w, buffer, 0, buffer.Length, id++, token, crc, -1, chunk, 0, ChunkSize), w);
        }
        Encode(chunks + 1, buffer => SparkMessages.UpdateDone(w, buffer, 0, buffer.Length, id++, 3), w);
    }

    /// <summary>The signed image sent.</summary>
    public byte[] Image { get; }

    /// <summary>Messages of the transfer (UpdateBegin, chunks, UpdateDone).</summary>
    public int MessageCount => _messages.Length;

    /// <summary>
    /// Sends the whole transfer to <paramref name="device"/>. Returns null when every message was
    /// answered 2.04 and the device asked for its reboot, else what went wrong. Stops early (returns
    /// "power lost") when <paramref name="powered"/> turns false; exceptions from the device propagate.
    /// </summary>
    public string? Send(IUpdateMessageHandler device, RecordingOtaChannel channel, Func<bool> powered, Func<bool> rebootRequested)
    {
        string? error = SendRange(device, channel, powered, 0, _messages.Length);
        if (error != null) return error;
        return rebootRequested() ? null : "no reboot requested after UpdateDone";
    }

    /// <summary>
    /// Sends messages [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>) of
    /// the transfer (0 is UpdateBegin, the last is UpdateDone). Null when each was answered 2.04, else
    /// what went wrong; "power lost" when <paramref name="powered"/> turned false.
    /// </summary>
    public string? SendRange(IUpdateMessageHandler device, RecordingOtaChannel channel, Func<bool> powered, int first, int count)
    {
        if (first < 0 || count < 0 || first + count > _messages.Length) throw new ArgumentOutOfRangeException(nameof(count));
        var m = new CoapMessage();
        for (int i = first; i < first + count; i++)
        {
            if (m.Decode(_messages[i], 0, _lengths[i]) != CoapResult.Ok) throw new InvalidOperationException("message " + i + " did not decode");
            int before = channel.Responses;
            device.OnMessage(SparkMessages.Classify(m), m);
            if (!powered()) return "power lost";
            if (channel.Responses != before + 1 || channel.LastCode != CoapCode.Changed)
                return $"message {i} of {_messages.Length} ({SparkMessages.Classify(m)}) answered {channel.LastCode >> 5}.{channel.LastCode & 31:00} '{channel.LastPayload}'"
                    + (channel.LastEvent != null ? $", event '{channel.LastEvent}'" : "");
        }
        return null;
    }

    private void Encode(int index, Func<byte[], CoapResult> build, CoapWriter w)
    {
        var buffer = new byte[SecureFraming.MaxPlaintextLength];
        if (build(buffer) != CoapResult.Ok) throw new InvalidOperationException("message " + index + " did not encode");
        _messages[index] = buffer;
        _lengths[index] = w.Length;
    }
}

/// <summary>The cloud link as the OTA service sees it: always connected, records the last answer and event.</summary>
public sealed class RecordingOtaChannel : IOtaChannel
{
    public int Responses { get; private set; }
    public int LastCode { get; private set; }
    public string LastPayload { get; private set; } = "";
    public string? LastEvent { get; private set; }
    public int Events { get; private set; }

    public bool IsConnected => true;

    public bool SendResponse(byte[] token, int tokenLength, int code, byte[] payload, int offset, int count)
    {
        Responses++;
        LastCode = code;
        LastPayload = count > 0 ? System.Text.Encoding.ASCII.GetString(payload, offset, count) : "";
        return true;
    }

    public bool SendChunkMissed(int[] indexes, int offset, int count) => true;

    public bool Publish(string name, byte[] data, int offset, int count)
    {
        Events++;
        LastEvent = System.Text.Encoding.ASCII.GetString(data, offset, count);
        return true;
    }
}

/// <summary>No user sockets on the sweep's board: the broker has nothing to preempt.</summary>
internal sealed class NoUserSockets : INetworkSockets, ISocketAborter
{
    public int Open(int timeoutMilliseconds) => (int)SocketError.InvalidSocket;
    public int Connect(int socket, uint ipv4, int port, int timeoutMilliseconds) => (int)SocketError.InvalidSocket;
    public int Send(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds) => (int)SocketError.InvalidSocket;
    public int Receive(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds) => (int)SocketError.InvalidSocket;
    public int Close(int socket) => 0;
    public int ResolveHost(string hostName, out uint ipv4, int timeoutMilliseconds)
    {
        ipv4 = 0;
        return (int)SocketError.InvalidSocket;
    }
    public void Abort(int socket, SocketError reason) { }
}
