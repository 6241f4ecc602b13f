using System;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Update;

namespace CoreFirmware.Ota.Cloud
{
    /// <summary>
    /// Hands each message of an established session to whoever answers it: pings are acknowledged,
    /// empty acknowledgements go to the keep-alive, Describe / calls / variables / events / answers to
    /// the application handler, OTA messages to the update handler, the safe-mode request to its
    /// handler; what nobody takes is answered 4.04 when it is a confirmable request. Runs on the link's
    /// loop thread; allocates nothing.
    /// </summary>
    internal sealed class CloudMessageDispatcher
    {
        private static readonly byte[] DescribeJson = AsciiBytes("{\"f\":[],\"v\":{}}");

        private readonly CloudLink _link;
        private readonly CloudTransport _transport;
        private readonly CloudKeepAlive _keepAlive;

        /// <summary>Dispatches for <paramref name="link"/> (its handlers), answering through <paramref name="transport"/>.</summary>
        public CloudMessageDispatcher(CloudLink link, CloudTransport transport, CloudKeepAlive keepAlive)
        {
            _link = link;
            _transport = transport;
            _keepAlive = keepAlive;
        }

        /// <summary>Dispatches <paramref name="m"/>, classified as <paramref name="kind"/> (its id already accepted).</summary>
        public void Dispatch(MessageKind kind, CoapMessage m)
        {
            switch (kind)
            {
                case MessageKind.Ping:
                    _transport.SendEmptyAck(m.MessageId);
                    break;

                case MessageKind.EmptyAck:
                    _keepAlive.OnEmptyAck(m.MessageId);
                    break;

                case MessageKind.Describe:
                    ICloudMessageHandler describer = _link.AppHandler;
                    if (describer != null && describer.OnMessage(kind, m)) break;
                    _transport.SendDescribeReturn(m, DescribeJson, 0, DescribeJson.Length);
                    break;

                case MessageKind.UpdateBegin:
                case MessageKind.Chunk:
                case MessageKind.UpdateDone:
                    IUpdateMessageHandler handler = _link.UpdateHandler;
                    if (handler != null)
                    {
                        handler.OnMessage(kind, m);
                    }
                    else
                    {
                        _transport.SendResponse(m.Token, m.TokenLength, CoapCode.NotFound, null, 0, 0);
                    }
                    break;

                case MessageKind.SafeModeRequest:
                    HandleSafeModeRequest(m);
                    break;

                case MessageKind.FunctionCall:
                case MessageKind.VariableRequest:
                case MessageKind.PublicEvent:
                case MessageKind.PrivateEvent:
                case MessageKind.Response:
                    ICloudMessageHandler app = _link.AppHandler;
                    if (app != null && app.OnMessage(kind, m)) break;
                    if ((kind == MessageKind.FunctionCall || kind == MessageKind.VariableRequest)
                        && m.Type == CoapType.Confirmable)
                    {
                        _transport.SendResponse(m.Token, m.TokenLength, CoapCode.NotFound, null, 0, 0);
                    }
                    break;

                case MessageKind.KeyChange:
                case MessageKind.RaiseYourHand:
                case MessageKind.Unknown:
                    if (m.Type == CoapType.Confirmable && CoapCode.IsRequest(m.Code))
                    {
                        _transport.SendResponse(m.Token, m.TokenLength, CoapCode.NotFound, null, 0, 0);
                    }
                    break;

                default:
                    // Hello again, responses, resets, events from the cloud: nothing to do.
                    break;
            }
        }

        // The cloud's safe-mode request: the handler records it (boot state), the link answers with
        // the handler's code, then (2.04 only) the handler asks for the reboot. A non-request or NON
        // copy is ignored.
        private void HandleSafeModeRequest(CoapMessage m)
        {
            if (m.Type != CoapType.Confirmable) return;
            ISafeModeRequestHandler handler = _link.SafeModeHandler;
            int code = handler == null ? CoapCode.NotFound : handler.OnSafeModeRequest();
            bool sent = _transport.SendResponse(m.Token, m.TokenLength, code, null, 0, 0);
            if (handler != null && code == CoapCode.Changed)
            {
                // Reboot even when the answer was lost: the flag is on flash, the next boot is safe mode.
                handler.OnSafeModeAcknowledged(sent);
            }
        }

        private static byte[] AsciiBytes(string text)
        {
            byte[] b = new byte[text.Length];
            Ascii.Put(text, b, 0);
            return b;
        }
    }
}
