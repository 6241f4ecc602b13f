using CoreFirmware.Application.Http;
using CoreFirmware.Nano.TestFramework;

namespace CoreFirmware.Nano.FirmwareTests.Http
{
    /// <summary>The response head parser (Application/Http/HttpHeaderParser) through the REST client: status line, fields, interim responses, limits.</summary>
    [TestClass]
    public class HttpHeadTests
    {
        [TestMethod]
        public void StatusAndFieldsAreReadCaseInsensitivelyWithoutSurroundingWhitespace()
        {
            RestClient client;
            Assert.AreEqual(HttpResult.Ok, HttpTesting.Get("HTTP/1.1 201 Created\r\nContent-Type:  application/json \t\r\nX-Empty:\r\ncontent-length: 2\r\n\r\n{}", 0, out client));
            Assert.AreEqual(201, client.StatusCode);
            Assert.AreEqual("application/json", HttpTesting.Header(client, "content-type"));
            Assert.AreEqual("application/json", HttpTesting.Header(client, "CONTENT-TYPE"));
            Assert.AreEqual("", HttpTesting.Header(client, "X-Empty"));
            Assert.IsNull(HttpTesting.Header(client, "Content"), "a prefix of a name is not the name");
            Assert.IsNull(HttpTesting.Header(client, "Content-Type-X"));
            Assert.IsTrue(client.HeaderEquals("Content-Type", "Application/JSON"));
            Assert.IsFalse(client.HeaderEquals("Content-Type", "text/plain"));
            Assert.AreEqual("{}", HttpTesting.Body(client));
        }

        [TestMethod]
        public void BareLfLineEndsAndNoReasonPhraseAreAccepted()
        {
            RestClient client;
            Assert.AreEqual(HttpResult.Ok, HttpTesting.Get("HTTP/1.0 404\nContent-Length: 3\n\nabc", 0, out client));
            Assert.AreEqual(404, client.StatusCode);
            Assert.AreEqual("abc", HttpTesting.Body(client));
            Assert.AreEqual(HttpResult.Ok, HttpTesting.Get("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", 0, out client), "an empty reason phrase");
            Assert.AreEqual(200, client.StatusCode);
        }

        [TestMethod]
        public void AHeadSplitAtEveryByteReadsTheSame()
        {
            HttpTesting.InEveryPieceSize("HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 5\r\n\r\nhello", HttpResult.Ok, "hello");
            HttpTesting.InEveryPieceSize("HTTP/1.1 200 OK\nContent-Length: 5\n\nhello", HttpResult.Ok, "hello");
        }

        [TestMethod]
        public void MalformedStatusLinesAreRefused()
        {
            string[] heads =
            {
                "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 600 Nope\r\n\r\n", "HTTP/1.1 099 Nope\r\n\r\n",
                "HTTP/1.1  200 OK\r\n\r\n", "HTTP/1.1200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 200 O\u0001K\r\n\r\n",
                "HTTP/1.1 200 OK\r\r\n\r\n", "hello world\r\n\r\n", "http/1.1 200 OK\r\n\r\n", "HTTP/1.x 200 OK\r\n\r\n",
            };
            for (int i = 0; i < heads.Length; i++)
            {
                Assert.AreEqual(HttpResult.MalformedResponse, HttpTesting.Result(heads[i]), heads[i]);
            }
        }

        [TestMethod]
        public void GarbageIsRefusedAtOnceWithoutWaitingForMore()
        {
            MemorySocketsRun("SSH-2.0-OpenSSH\r\n", HttpResult.MalformedResponse);
            MemorySocketsRun("<html>", HttpResult.MalformedResponse);
        }

        [TestMethod]
        public void MalformedFieldLinesAreRefused()
        {
            string[] fields =
            {
                "Bad Name: x", ": no name", "NoColon", "Name : space before colon", "X: a\u0001b", "X: a\u007fb",
                "X: ok\r\n folded continuation", "X: ok\r\n\tfolded", "(paren): x", "X\u0080: high byte in the name",
            };
            for (int i = 0; i < fields.Length; i++)
            {
                string head = "HTTP/1.1 200 OK\r\n" + fields[i] + "\r\nContent-Length: 0\r\n\r\n";
                Assert.AreEqual(HttpResult.MalformedResponse, HttpTesting.Result(head), fields[i]);
            }

            Assert.AreEqual(HttpResult.Ok, HttpTesting.Result("HTTP/1.1 200 OK\r\n!#$%&'*+-.^_`|~09az: token characters\r\nX: tab\tand \u00e9\r\nContent-Length: 0\r\n\r\n"));
        }

        [TestMethod]
        public void InterimResponsesAreSkippedUpToALimit()
        {
            RestClient client;
            Assert.AreEqual(HttpResult.Ok, HttpTesting.Get("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 3, out client));
            Assert.AreEqual(200, client.StatusCode);
            Assert.AreEqual("ok", HttpTesting.Body(client));
            Assert.IsNull(HttpTesting.Header(client, "Link"), "the interim response's fields are gone");

            Assert.AreEqual(HttpResult.MalformedResponse, HttpTesting.Result("HTTP/1.1 101 Switching Protocols\r\n\r\n"), "101 is no interim response for this client");
            string five = "";
            for (int i = 0; i < 5; i++) five += "HTTP/1.1 100 Continue\r\n\r\n";
            Assert.AreEqual(HttpResult.MalformedResponse, HttpTesting.Result(five + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), "five interim responses");
        }

        [TestMethod]
        public void AHeadLargerThanTheBufferIsHeadersTooLarge()
        {
            string big = "HTTP/1.1 200 OK\r\nX: " + new string('a', 300) + "\r\n\r\n";
            Assert.AreEqual(HttpResult.HeadersTooLarge, HttpTesting.Result(big));
            string fits = "HTTP/1.1 200 OK\r\nX: " + new string('a', 200) + "\r\nContent-Length: 0\r\n\r\n";
            Assert.AreEqual(HttpResult.Ok, HttpTesting.Result(fits));
        }

        [TestMethod]
        public void AHeadCutByTheServerIsTruncatedAndLeavesNothingBehind()
        {
            RestClient client;
            Assert.AreEqual(HttpResult.Truncated, HttpTesting.Get("HTTP/1.1 200 OK\r\nContent-Len", 4, out client));
            Assert.AreEqual(0, client.StatusCode);
            Assert.AreEqual(0, client.BodyLength);
            Assert.IsNull(HttpTesting.Header(client, "Content-Len"));
            Assert.AreEqual(HttpResult.Truncated, HttpTesting.Result(""), "closed without a byte");
        }

        private static void MemorySocketsRun(string response, HttpResult expected)
        {
            Support.MemorySockets sockets = new Support.MemorySockets();
            sockets.ResponseText = response;
            sockets.CloseAfterResponse = false; // a server that never closes: only the syntax can end it
            RestClient client = HttpTesting.Client(sockets);
            Assert.AreEqual(expected, client.Get("10.0.0.1", 80, "/"), response);
        }
    }
}
