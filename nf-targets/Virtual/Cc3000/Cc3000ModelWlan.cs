using System.Text;

namespace CoreFirmware.Virtual.Cc3000;

/// <summary>
/// The module's WLAN side: the one access point it can associate with, wlan-connect, and the
/// unsolicited connect (0x8001), DHCP (0x8010) and disconnect (0x8002) events that follow on a host
/// thread after <see cref="AssociationDelayMilliseconds"/>. The access point can go away and come
/// back (a fault hook). Guarded by the model's lock.
/// </summary>
internal sealed class Cc3000ModelWlan
{
    private readonly Cc3000Model _model;
    private string _apSsid = "CoreNet";
    private string _apKey = "";
    private bool _apAvailable = true;
    private bool _connectEventDue;
    private bool _connectReported;
    private bool _disconnectEventDue;
    private bool _dhcpEventDue;

    public Cc3000ModelWlan(Cc3000Model model) => _model = model;

    /// <summary>True once the module reported association and DHCP to the host.</summary>
    public bool Associated { get; private set; }

    /// <summary>Address DHCP hands the module.</summary>
    public uint DhcpAddress { get; set; } = (192u << 24) | (168u << 16) | (1u << 8) | 100u;

    /// <summary>Time from a wlan-connect answer to the association and DHCP events.</summary>
    public int AssociationDelayMilliseconds { get; set; } = 5;

    public void SetAccessPointLocked(string ssid, string key)
    {
        _apSsid = ssid;
        _apKey = key;
    }

    /// <summary>The access point goes away (an associated module is told by a disconnect event) or comes back.</summary>
    public void SetAccessPointAvailableLocked(bool available)
    {
        _apAvailable = available;
        if (available) return;
        Associated = false;
        _connectEventDue = false;
        _dhcpEventDue = false;
        if (_connectReported)
        {
            _connectReported = false;
            _disconnectEventDue = true;
        }
    }

    /// <summary>Power went off: association and events not yet told are forgotten.</summary>
    public void ResetLocked()
    {
        Associated = false;
        _connectEventDue = false;
        _connectReported = false;
        _disconnectEventDue = false;
        _dhcpEventDue = false;
    }

    /// <summary>
    /// wlan-connect, TI layout: u32 0x1C, u32 ssid length, u32 security, u32 0x10 + ssid length,
    /// u32 key length, u16 0, 6-byte BSSID, then SSID and key.
    /// </summary>
    public void ConnectLocked(byte[] rx, int args, int argsLength)
    {
        Cc3000ModelEventQueue queue = _model.Queue;
        if (argsLength < 28)
        {
            queue.AnswerLocked(Cc3000Wire.WlanConnect, Cc3000Wire.ErrorGeneric);
            return;
        }
        int ssidLength = (int)Cc3000Wire.GetU32(rx, args + 4);
        int keyLength = (int)Cc3000Wire.GetU32(rx, args + 16);
        if (ssidLength > 32 || keyLength > 32 || 28 + ssidLength + keyLength > argsLength)
        {
            queue.AnswerLocked(Cc3000Wire.WlanConnect, Cc3000Wire.ErrorGeneric);
            return;
        }
        string ssid = Encoding.ASCII.GetString(rx, args + 28, ssidLength);
        string key = Encoding.ASCII.GetString(rx, args + 28 + ssidLength, keyLength);
        queue.AnswerLocked(Cc3000Wire.WlanConnect, 0);
        if (ssid != _apSsid || key != _apKey) return; // the part keeps scanning and reports nothing
        if (!_apAvailable) return;                    // no access point to find (see SetAccessPointAvailable)
        int epoch = _model.Power.Epoch;
        _model.Faults.Start("CC3000 association", () =>
        {
            Thread.Sleep(AssociationDelayMilliseconds);
            lock (_model.Sync)
            {
                if (_model.Power.Epoch != epoch || !_model.Power.AnsweringLocked || !_apAvailable) return;
                _connectEventDue = true;
                _dhcpEventDue = true;
                _model.Spi.UpdateIrqLocked();
            }
        });
    }

    /// <summary>Queues the first WLAN event that is due (disconnect, connect, then DHCP); false when none.</summary>
    public bool QueueDueEventLocked()
    {
        Cc3000ModelEventQueue queue = _model.Queue;
        if (_disconnectEventDue)
        {
            _disconnectEventDue = false;
            queue.AnswerNoArgsLocked(Cc3000Wire.UnsolDisconnect);
            return true;
        }
        if (_connectEventDue)
        {
            _connectEventDue = false;
            _connectReported = true;
            queue.AnswerNoArgsLocked(Cc3000Wire.UnsolConnect);
            return true;
        }
        if (_dhcpEventDue)
        {
            _dhcpEventDue = false;
            Associated = true;
            int slot = queue.BeginEventLocked(Cc3000Wire.UnsolDhcp, 0);
            byte[] o = queue.Packet(slot);
            uint subnet = DhcpAddress & 0xFFFFFF00u;
            int p = 5;
            Cc3000Wire.PutU32(o, ref p, DhcpAddress);
            Cc3000Wire.PutU32(o, ref p, 0xFFFFFF00u); // netmask
            Cc3000Wire.PutU32(o, ref p, subnet | 1);  // gateway
            Cc3000Wire.PutU32(o, ref p, subnet | 1);  // DHCP server
            Cc3000Wire.PutU32(o, ref p, subnet | 1);  // DNS server
            queue.EndEventLocked(slot, p);
            return true;
        }
        return false;
    }
}
