namespace CoreFirmware.Ota.Protocol
{
    /// <summary>
    /// CoAP codes (RFC 7252 section 12.1): class in the top 3 bits, detail in the low 5, so 2.04
    /// is (2 &lt;&lt; 5) | 4 = 0x44. Only the codes the Spark protocol uses are named.
    /// </summary>
    public static class CoapCode
    {
        /// <summary>0.00: empty message (ping, empty acknowledgement).</summary>
        public const int Empty = 0x00;

        /// <summary>0.01 GET.</summary>
        public const int Get = 0x01;

        /// <summary>0.02 POST.</summary>
        public const int Post = 0x02;

        /// <summary>0.03 PUT.</summary>
        public const int Put = 0x03;

        /// <summary>0.04 DELETE.</summary>
        public const int Delete = 0x04;

        /// <summary>2.04 Changed: UpdateReady, ChunkReceived, DescribeReturn, FunctionReturn.</summary>
        public const int Changed = 0x44;

        /// <summary>2.05 Content: VariableValue, GetTimeReturn.</summary>
        public const int Content = 0x45;

        /// <summary>4.00 Bad Request: ChunkReceivedError, EventSlowdown, errors.</summary>
        public const int BadRequest = 0x80;

        /// <summary>4.04 Not Found.</summary>
        public const int NotFound = 0x84;

        /// <summary>5.00 Internal Server Error: the device could not carry out a request (e.g. a flash write failed).</summary>
        public const int InternalServerError = 0xA0;

        /// <summary>5.03 Service Unavailable: the device cannot take the request now (e.g. an update is in progress).</summary>
        public const int ServiceUnavailable = 0xA3;

        /// <summary>True for a request code (0.01 to 0.31).</summary>
        public static bool IsRequest(int code)
        {
            return code > 0 && code < 0x20;
        }

        /// <summary>True for a 2.xx success response.</summary>
        public static bool IsSuccess(int code)
        {
            return (code >> 5) == 2;
        }

        /// <summary>Builds a code from class and detail, e.g. Make(2, 4) = 0x44.</summary>
        public static int Make(int codeClass, int detail)
        {
            return ((codeClass & 0x07) << 5) | (detail & 0x1F);
        }
    }
}
