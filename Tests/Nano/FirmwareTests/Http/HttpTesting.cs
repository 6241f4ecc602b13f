using CoreFirmware.Application.Http;
using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;

namespace CoreFirmware.Nano.FirmwareTests.Http
{
    /// <summary>Shared helpers of the HTTP tests: a REST client over <see cref="MemorySockets"/> and response checks.</summary>
    public static class HttpTesting
    {
        /// <summary>The client a test uses: small buffers (256-byte head, 64-byte body) so the limits are easy to reach.</summary>
        public static RestClient Client(MemorySockets sockets)
        {
            return new RestClient(sockets, new ManualClock(), 256, 64);
        }

        /// <summary>GET / from 10.0.0.1 with <paramref name="response"/> handed out <paramref name="pieceSize"/> bytes at a time.</summary>
        public static HttpResult Get(string response, int pieceSize, out RestClient client)
        {
            MemorySockets sockets = new MemorySockets();
            sockets.ResponseText = response;
            sockets.PieceSize = pieceSize;
            client = Client(sockets);
            HttpResult r = client.Get("10.0.0.1", 80, "/");
            Assert.AreEqual(0, sockets.OpenSockets, "the socket is closed after the request");
            return r;
        }

        /// <summary>The result of a GET answered by <paramref name="response"/> in one piece.</summary>
        public static HttpResult Result(string response)
        {
            RestClient client;
            return Get(response, 0, out client);
        }

        /// <summary>The body of the last response as ASCII text.</summary>
        public static string Body(RestClient client)
        {
            return Bytes.Text(client.Body, client.BodyOffset, client.BodyLength);
        }

        /// <summary>The value of header <paramref name="name"/> as ASCII text, or null.</summary>
        public static string Header(RestClient client, string name)
        {
            int offset;
            int length;
            if (!client.FindHeader(name, out offset, out length)) return null;
            return Bytes.Text(client.HeaderBuffer, offset, length);
        }

        /// <summary>
        /// Fails unless <paramref name="response"/> gives <paramref name="expected"/> (and, when Ok,
        /// <paramref name="body"/>) whether it arrives in one piece or 1, 2, 3, 5 or 7 bytes at a time.
        /// </summary>
        public static void InEveryPieceSize(string response, HttpResult expected, string body)
        {
            int[] pieces = { 0, 1, 2, 3, 5, 7 };
            for (int i = 0; i < pieces.Length; i++)
            {
                RestClient client;
                string what = "pieces of " + pieces[i].ToString();
                Assert.AreEqual(expected, Get(response, pieces[i], out client), what);
                if (expected == HttpResult.Ok) Assert.AreEqual(body, Body(client), what);
            }
        }
    }
}
