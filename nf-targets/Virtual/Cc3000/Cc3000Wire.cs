namespace CoreFirmware.Virtual.Cc3000;

/// <summary>
/// The CC3000's SPI and HCI numbers as the model knows them. Kept apart from the firmware driver's
/// constants on purpose: the model is written from the protocol description, not from the driver,
/// so a wrong number on one side shows up as a test failure instead of agreeing with itself.
/// Sources: the CC3000 SPI/HCI summary in docs/PARTS.md and TI's CC3000 host driver
/// (hci.h, socket.h, cc3000_common.h), read for numbers only.
/// </summary>
internal static class Cc3000Wire
{
    // SPI framing.
    public const byte SpiWrite = 0x01;
    public const byte SpiRead = 0x03;
    public const int SpiHeaderSize = 5;

    // HCI packet types.
    public const byte HciCommand = 0x01;
    public const byte HciData = 0x02;
    public const byte HciEvent = 0x04;

    // Commands (and the events that answer them carry the same opcode).
    public const int WlanConnect = 0x0001;
    public const int Socket = 0x1001;
    public const int Bind = 0x1002;
    public const int SendEvent = 0x1003;
    public const int Recv = 0x1004;
    public const int Accept = 0x1005;
    public const int Listen = 0x1006;
    public const int Connect = 0x1007;
    public const int Select = 0x1008;
    public const int SetSockOpt = 0x1009;
    public const int Close = 0x100B;
    public const int GetHostByName = 0x1010;
    public const int SimpleLinkStart = 0x4000;
    public const int ReadBufferSize = 0x400B;

    // Data packet opcodes (one byte).
    public const byte DataSend = 0x81;
    public const byte DataRecv = 0x85;

    // Unsolicited events.
    public const int UnsolFreeBuffers = 0x4100;
    public const int UnsolConnect = 0x8001;
    public const int UnsolDisconnect = 0x8002;
    // TCP close-wait (peer sent FIN): 0x800C in TI's hci.h (HCI_EVNT_BSD_TCP_CLOSE_WAIT).
    public const int UnsolTcpCloseWait = 0x800C;
    public const int UnsolDhcp = 0x8010;

    // Socket option used by hosts to make recv return at once (TI socket.h: SOL_SOCKET 0xFFFF,
    // SOCKOPT_RECV_NONBLOCK 0, SOCK_ON 0 = non-blocking enabled).
    public const int SolSocket = 0xFFFF;
    public const int SockOptRecvNonBlock = 0;
    public const int SockOn = 0;

    /// <summary>TI's ERROR_SOCKET_INACTIVE: the socket is closed (peer FIN seen, or never connected).</summary>
    public const int ErrorSocketInactive = -57;

    /// <summary>Generic failure the module reports (TI's -1: no free socket, connect failed, host not found, reset).</summary>
    public const int ErrorGeneric = -1;

    /// <summary>Little-endian u32 at <paramref name="at"/>.</summary>
    public static uint GetU32(byte[] b, int at) => (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24));

    public static void PutU32(byte[] b, ref int at, uint v)
    {
        b[at++] = (byte)v;
        b[at++] = (byte)(v >> 8);
        b[at++] = (byte)(v >> 16);
        b[at++] = (byte)(v >> 24);
    }

    public static void PutU16(byte[] b, ref int at, int v)
    {
        b[at++] = (byte)v;
        b[at++] = (byte)(v >> 8);
    }
}
