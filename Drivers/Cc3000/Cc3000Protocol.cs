namespace CoreFirmware.Drivers.Cc3000
{
    /// <summary>
    /// The CC3000's SPI and HCI numbers as the host driver uses them. Sources: the CC3000 summary
    /// in docs/PARTS.md and TI's CC3000 host driver (spi.c, hci.h, socket.h,
    /// cc3000_common.h), read for numbers and layouts only. Arguments are little-endian, as the TI
    /// driver streams them; the SPI length is big-endian.
    /// </summary>
    internal static class Cc3000Protocol
    {
        // ---- SPI framing
        /// <summary>First byte of a host write.</summary>
        public const byte SpiWrite = 0x01;
        /// <summary>First byte of a host read of a module-initiated frame.</summary>
        public const byte SpiRead = 0x03;
        /// <summary>SPI header: op, length (2, BE), two busy bytes (write) / length echo (read).</summary>
        public const int SpiHeaderSize = 5;
        /// <summary>Bytes of the first write after power-up sent before the ~50 us pause.</summary>
        public const int FirstWriteSplit = 4;
        /// <summary>The pause, in 100 ns ticks: 60 us, a margin over the ~50 us TI's spi.c waits.</summary>
        public const long FirstWriteGapTicks = 600;

        // ---- HCI packet types
        public const byte HciCommand = 0x01;
        public const byte HciData = 0x02;
        public const byte HciEvent = 0x04;

        /// <summary>Command header: type, opcode (LE16), argument length.</summary>
        public const int CommandHeaderSize = 4;
        /// <summary>Data header: type, opcode, argument length, payload length (LE16, arguments + data).</summary>
        public const int DataHeaderSize = 5;
        /// <summary>Event header: type, opcode (LE16), length (status + arguments), status.</summary>
        public const int EventHeaderSize = 5;

        // ---- opcodes (an answering event carries its command's opcode)
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

        public const byte DataSend = 0x81;
        public const byte DataRecv = 0x85;

        /// <summary>TI's HCI_EVNT_UNSOL_BASE: events with this bit set are unsolicited unless a command awaits them.</summary>
        public const int UnsolicitedBase = 0x4000;
        public const int UnsolFreeBuffers = 0x4100;
        public const int UnsolConnect = 0x8001;
        public const int UnsolDisconnect = 0x8002;
        /// <summary>Peer closed a TCP connection (TI hci.h HCI_EVNT_BSD_TCP_CLOSE_WAIT).</summary>
        public const int UnsolTcpCloseWait = 0x800C;
        public const int UnsolDhcp = 0x8010;

        // ---- argument values
        public const int AfInet = 2;
        public const int SockStream = 1;
        public const int IpProtoTcp = 6;
        public const int SolSocket = 0xFFFF;
        /// <summary>TI socket.h SOCKOPT_RECV_NONBLOCK.</summary>
        public const int SockOptRecvNonBlock = 0;
        /// <summary>TI socket.h SOCK_ON: the option is enabled (non-blocking recv).</summary>
        public const int SockOn = 0;
        /// <summary>Security type WLAN_SEC_UNSEC.</summary>
        public const int SecurityOpen = 0;
        /// <summary>Security type WLAN_SEC_WPA2.</summary>
        public const int SecurityWpa2 = 3;
        /// <summary>Send arguments: socket, offset (12), length, flags.</summary>
        public const int SendArgsLength = 16;

        // ---- results the module reports
        /// <summary>TI's ERROR_SOCKET_INACTIVE: the peer closed (FIN) or the socket is not connected.</summary>
        public const int ErrorSocketInactive = -57;

        // ---- sizes
        /// <summary>
        /// Largest SPI frame the driver moves: TI's CC3000_MAXIMAL_TX_SIZE / _RX_SIZE (1519 + 1) in
        /// cc3000_common.h, an Ethernet-MTU frame (the module does not fragment).
        /// </summary>
        public const int MaxFrame = 1520;

        /// <summary>
        /// Most data bytes per send data packet and per recv: 1460, the TCP payload of a 1500-byte MTU
        /// packet; 5 + 5 + 16 + 1460 (+ pad) fits <see cref="MaxFrame"/>.
        /// </summary>
        public const int MaxDataChunk = 1460;

        /// <summary>Longest host name passed to gethostbyname (DNS allows 253; 64 keeps the frame small and fits every name we use).</summary>
        public const int MaxHostName = 64;
    }
}
