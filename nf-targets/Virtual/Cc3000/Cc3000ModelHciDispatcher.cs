namespace CoreFirmware.Virtual.Cc3000;

/// <summary>
/// The module's HCI side: takes each packet the host wrote (a command, or the send data packet),
/// checks its lengths and hands it to the part of the module that answers it (WLAN, sockets, DNS);
/// commands the model does not carry (bind, accept, listen, select...) are answered -1. It also
/// queues the events whose cause came from a host thread, in a fixed order and keeping slots free
/// for command answers. Guarded by the model's lock.
/// </summary>
internal sealed class Cc3000ModelHciDispatcher
{
    // Slots kept free for command answers when unsolicited events are queued.
    private const int SlotsReservedForAnswers = 3;

    private readonly Cc3000Model _model;

    public Cc3000ModelHciDispatcher(Cc3000Model model) => _model = model;

    /// <summary>A complete write frame's payload: <paramref name="length"/> bytes of <paramref name="rx"/>.</summary>
    public void ProcessPacketLocked(byte[] rx, int length)
    {
        byte type = rx[0];
        if (type == Cc3000Wire.HciCommand)
        {
            int opcode = rx[1] | (rx[2] << 8);
            int argsLength = rx[3];
            if (4 + argsLength != length && 4 + argsLength + 1 != length)
            {
                _model.Spi.ViolationLocked("command 0x" + opcode.ToString("X4") + " has " + argsLength + " argument bytes in a " + length + "-byte payload");
                return;
            }
            ProcessCommandLocked(rx, opcode, 4, argsLength);
        }
        else if (type == Cc3000Wire.HciData)
        {
            int opcode = rx[1];
            int argsLength = rx[2];
            int payloadLength = rx[3] | (rx[4] << 8);
            if ((5 + payloadLength != length && 5 + payloadLength + 1 != length) || argsLength > payloadLength)
            {
                _model.Spi.ViolationLocked("data packet lengths (args " + argsLength + ", payload " + payloadLength + ") do not fit a " + length + "-byte frame");
                return;
            }
            if (opcode != Cc3000Wire.DataSend || argsLength != 16)
            {
                _model.Spi.ViolationLocked("data packet opcode 0x" + opcode.ToString("X2") + " with " + argsLength + " argument bytes is not send (0x81, 16)");
                return;
            }
            _model.Sockets.SendLocked(rx, 5, 5 + argsLength, payloadLength - argsLength);
        }
        else
        {
            _model.Spi.ViolationLocked("HCI packet type 0x" + type.ToString("X2") + " from the host");
        }
    }

    private void ProcessCommandLocked(byte[] rx, int opcode, int args, int argsLength)
    {
        Cc3000ModelEventQueue queue = _model.Queue;
        switch (opcode)
        {
            case Cc3000Wire.SimpleLinkStart:
                queue.AnswerLocked(opcode, 0);
                break;
            case Cc3000Wire.ReadBufferSize:
            {
                int slot = queue.BeginEventLocked(opcode, 0);
                if (slot < 0) return;
                byte[] o = queue.Packet(slot);
                int p = 5;
                o[p++] = (byte)_model.Buffers.FreeCount;
                Cc3000Wire.PutU16(o, ref p, Cc3000Model.BufferLength);
                queue.EndEventLocked(slot, p);
                break;
            }
            case Cc3000Wire.WlanConnect:
                _model.Wlan.ConnectLocked(rx, args, argsLength);
                break;
            case Cc3000Wire.Socket:
                _model.Sockets.SocketLocked();
                break;
            case Cc3000Wire.SetSockOpt:
                _model.Sockets.SetSockOptLocked(rx, args, argsLength);
                break;
            case Cc3000Wire.Connect:
                _model.Sockets.ConnectLocked(rx, args, argsLength);
                break;
            case Cc3000Wire.Recv:
                _model.Sockets.RecvLocked(rx, args, argsLength);
                break;
            case Cc3000Wire.Close:
                _model.Sockets.CloseLocked(rx, args, argsLength);
                break;
            case Cc3000Wire.GetHostByName:
                _model.Resolver.GetHostByNameLocked(rx, args, argsLength);
                break;
            default:
                // bind, accept, listen, select and the rest are not modelled: answered with -1.
                queue.AnswerLocked(opcode, Cc3000Wire.ErrorGeneric);
                break;
        }
    }

    /// <summary>
    /// Queues events whose cause came from a host thread (WLAN, a late DNS answer, socket answers
    /// and events, free buffers), keeping <see cref="SlotsReservedForAnswers"/> slots for command answers.
    /// </summary>
    public void QueueDueEventsLocked()
    {
        while (_model.Queue.FreeSlots > SlotsReservedForAnswers)
        {
            if (_model.Wlan.QueueDueEventLocked()) continue;
            if (_model.Resolver.QueueDueAnswerLocked()) continue;
            if (_model.Sockets.QueueDueEventLocked()) continue;
            if (_model.Buffers.QueueFreeReportLocked()) continue;
            return;
        }
    }
}
