using CoreFirmware.Application.Http;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;

namespace CoreFirmware.Nano.FirmwareTests.Http
{
    /// <summary>The REST client (Application/Http/RestClient) over an in-memory socket: the request it sends, socket failures, argument checks.</summary>
    [TestClass]
    public class RestClientTests
    {
        private const string Fixed = "User-Agent: CoreFirmware\r\nAccept: */*\r\nConnection: close\r\n";
        private const string Empty200 = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

        [TestMethod]
        public void GetSendsTheExactRequestAndConnectsToTheLiteralAddress()
        {
            MemorySockets sockets = Sockets(Empty200);
            RestClient client = HttpTesting.Client(sockets);
            Assert.AreEqual(HttpResult.Ok, client.Get("192.168.1.20", 80, "/v1/ticker?pair=BTC-USD"));
            Assert.AreEqual("GET /v1/ticker?pair=BTC-USD HTTP/1.1\r\nHost: 192.168.1.20\r\n" + Fixed + "\r\n", sockets.SentText);
            Assert.AreEqual(0xC0A80114u, sockets.ConnectedAddress);
            Assert.AreEqual(80, sockets.ConnectedPort);
            Assert.AreEqual(0, sockets.Resolves, "a dotted address is not resolved");
        }

        [TestMethod]
        public void AHostNameIsResolvedAndAPortOtherThan80GoesIntoHost()
        {
            MemorySockets sockets = Sockets(Empty200);
            RestClient client = HttpTesting.Client(sockets);
            Assert.AreEqual(HttpResult.Ok, client.Get("api.example.com", 8080, "/"));
            Assert.AreEqual("api.example.com", sockets.LastHostName);
            Assert.AreEqual(sockets.ResolvedAddress, sockets.ConnectedAddress);
            Assert.AreEqual(8080, sockets.ConnectedPort);
            Assert.AreEqual("GET / HTTP/1.1\r\nHost: api.example.com:8080\r\n" + Fixed + "\r\n", sockets.SentText);
            string[] notAddresses = { "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "1.2.3.4.", "1234.1.1.1" };
            for (int i = 0; i < notAddresses.Length; i++)
            {
                sockets.Resolves = 0;
                client.Get(notAddresses[i], 80, "/");
                Assert.AreEqual(1, sockets.Resolves, "'" + notAddresses[i] + "' is a name to resolve");
            }
        }

        [TestMethod]
        public void PostSendsHeadersThenTheContent()
        {
            MemorySockets sockets = Sockets("HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone");
            RestClient client = HttpTesting.Client(sockets);
            Assert.AreEqual(HttpResult.Ok, client.Post("10.0.0.2", 80, "/events", "application/json", "{\"t\":1}"));
            Assert.AreEqual("POST /events HTTP/1.1\r\nHost: 10.0.0.2\r\n" + Fixed + "Content-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"t\":1}", sockets.SentText);
            Assert.AreEqual(201, client.StatusCode);
            Assert.AreEqual("done", HttpTesting.Body(client));

            byte[] content = Bytes.Ascii("xxABCDEyy");
            Assert.AreEqual(HttpResult.Ok, client.Post("10.0.0.2", 80, "/raw", "application/octet-stream", content, 2, 5));
            Assert.AreEqual("POST /raw HTTP/1.1\r\nHost: 10.0.0.2\r\n" + Fixed + "Content-Type: application/octet-stream\r\nContent-Length: 5\r\n\r\nABCDE", sockets.SentText);
        }

        [TestMethod]
        public void SocketFailuresMapToResultsAndKeepTheSocketError()
        {
            AssertFailure(SocketError.HostNotFound, 0, HttpResult.HostNotFound, "api.example.com");
            AssertFailure(SocketError.NoFreeSocket, 1, HttpResult.NetworkError, "10.0.0.1");
            AssertFailure(SocketError.ConnectionRefused, 2, HttpResult.ConnectionRefused, "10.0.0.1");
            AssertFailure(SocketError.TimedOut, 2, HttpResult.TimedOut, "10.0.0.1");
            AssertFailure(SocketError.Preempted, 3, HttpResult.Preempted, "10.0.0.1");
            AssertFailure(SocketError.UpdateInProgress, 1, HttpResult.Preempted, "10.0.0.1");
            AssertFailure(SocketError.ConnectionReset, 3, HttpResult.NetworkError, "10.0.0.1");
            AssertFailure(SocketError.ModuleReset, 4, HttpResult.NetworkError, "10.0.0.1");
            AssertFailure(SocketError.TimedOut, 4, HttpResult.TimedOut, "10.0.0.1");
            AssertFailure(SocketError.Preempted, 4, HttpResult.Preempted, "10.0.0.1");
        }

        [TestMethod]
        public void InvalidRequestsSendNothing()
        {
            MemorySockets sockets = Sockets(Empty200);
            RestClient client = HttpTesting.Client(sockets);
            Assert.AreEqual(HttpResult.InvalidRequest, client.Get("", 80, "/"));
            Assert.AreEqual(HttpResult.InvalidRequest, client.Get(null, 80, "/"));
            Assert.AreEqual(HttpResult.InvalidRequest, client.Get("10.0.0.1", 80, ""));
            Assert.AreEqual(HttpResult.InvalidRequest, client.Get("10.0.0.1", 80, "/a b"));
            Assert.AreEqual(HttpResult.InvalidRequest, client.Get("10.0.0.1", 80, "/\u00e9"));
            Assert.AreEqual(HttpResult.InvalidRequest, client.Get("10.0.0.1", 0, "/"));
            Assert.AreEqual(HttpResult.InvalidRequest, client.Get("10.0.0.1", 65536, "/"));
            Assert.AreEqual(HttpResult.InvalidRequest, client.Get("10.0.0.1", 80, "/" + new string('p', 300)), "larger than the request buffer");
            Assert.AreEqual(HttpResult.InvalidRequest, client.Post("10.0.0.1", 80, "/", "", "x"));
            Assert.AreEqual(HttpResult.InvalidRequest, client.Post("10.0.0.1", 80, "/", "text/plain\r\nX: injected", "x"));
            Assert.AreEqual(HttpResult.InvalidRequest, client.Post("10.0.0.1", 80, "/", "text/plain", (string)null));
            Assert.AreEqual(HttpResult.InvalidRequest, client.Post("10.0.0.1", 80, "/", "text/plain", new byte[4], 2, 3));
            Assert.AreEqual(HttpResult.InvalidRequest, client.Post("10.0.0.1", 80, "/", "text/plain", new byte[4], -1, 1));
            Assert.AreEqual(0, sockets.Opens, "nothing was opened");
            Assert.AreEqual(0, sockets.Resolves);
        }

        [TestMethod]
        public void NothingOfAPreviousResponseSurvivesAFailedRequest()
        {
            MemorySockets sockets = Sockets("HTTP/1.1 200 OK\r\nX-Old: yes\r\nContent-Length: 3\r\n\r\nold");
            RestClient client = HttpTesting.Client(sockets);
            Assert.AreEqual(HttpResult.Ok, client.Get("10.0.0.1", 80, "/"));
            Assert.AreEqual("old", HttpTesting.Body(client));
            sockets.ConnectError = SocketError.ConnectionRefused;
            Assert.AreEqual(HttpResult.ConnectionRefused, client.Get("10.0.0.1", 80, "/"));
            Assert.AreEqual(HttpResult.ConnectionRefused, client.Result);
            Assert.AreEqual(0, client.StatusCode);
            Assert.AreEqual(0, client.BodyLength);
            Assert.IsNull(HttpTesting.Header(client, "X-Old"));
            Assert.AreEqual(sockets.Opens, sockets.Closes, "every socket opened was closed");
        }

        [TestMethod]
        public void ConstructorAndTimeoutsRefuseBadValues()
        {
            MemorySockets sockets = new MemorySockets();
            ManualClock clock = new ManualClock();
            Assert.Throws(typeof(System.ArgumentNullException), delegate { new RestClient(null, clock); });
            Assert.Throws(typeof(System.ArgumentNullException), delegate { new RestClient(sockets, null); });
            Assert.Throws(typeof(System.ArgumentOutOfRangeException), delegate { new RestClient(sockets, clock, RestClient.MinimumRequestBufferSize - 1, 64); });
            Assert.Throws(typeof(System.ArgumentOutOfRangeException), delegate { new RestClient(sockets, clock, 256, 0); });
            RestClient client = new RestClient(sockets, clock);
            Assert.AreEqual(RestClient.DefaultRequestBufferSize, client.RequestBufferSize);
            Assert.AreEqual(RestClient.DefaultBodyBufferSize, client.BodyBufferSize);
            Assert.Throws(typeof(System.ArgumentOutOfRangeException), delegate { client.ReceiveTimeoutMilliseconds = 0; });
            Assert.Throws(typeof(System.ArgumentOutOfRangeException), delegate { client.ResponseTimeoutMilliseconds = -5; });
            client.ReceiveTimeoutMilliseconds = 1;
            Assert.AreEqual(1, client.ReceiveTimeoutMilliseconds);
        }

        // stage: 0 resolve, 1 open, 2 connect, 3 send, 4 receive (the server sends nothing and neither closes).
        private static void AssertFailure(SocketError error, int stage, HttpResult expected, string host)
        {
            MemorySockets sockets = new MemorySockets();
            if (stage == 0) sockets.ResolveError = error;
            if (stage == 1) sockets.OpenError = error;
            if (stage == 2) sockets.ConnectError = error;
            if (stage == 3) sockets.SendError = error;
            if (stage == 4)
            {
                sockets.CloseAfterResponse = false;
                sockets.AfterResponse = error;
            }

            RestClient client = HttpTesting.Client(sockets);
            string what = error.ToString() + " at stage " + stage.ToString();
            Assert.AreEqual(expected, client.Get(host, 80, "/"), what);
            Assert.AreEqual(error, client.SocketError, what);
            Assert.AreEqual(0, sockets.OpenSockets, what + ": socket left open");
            Assert.AreEqual(0, client.StatusCode, what);
        }

        private static MemorySockets Sockets(string response)
        {
            MemorySockets sockets = new MemorySockets();
            sockets.ResponseText = response;
            return sockets;
        }
    }
}
