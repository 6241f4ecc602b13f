namespace CoreFirmware.Fuzz.Engine;

/// <summary>
/// Byte-level mutations in the manner of AFL's havoc stage, stacked 1 to 16 deep: bit flips,
/// interesting bytes, small arithmetic on bytes and 16-bit words, inserted and deleted ranges,
/// long runs of one byte (number underflow, buffer bounds), dictionary tokens and splices with
/// another corpus input. Deterministic for a given <see cref="Random"/>.
/// </summary>
public sealed class Mutator(Random random, IReadOnlyList<byte[]> dictionary, int maxLength)
{
    private static readonly byte[] Interesting =
    [
        0x00, 0x01, 0x02, 0x09, 0x0A, 0x0D, 0x20, 0x22, 0x2C, 0x2D, 0x2E, 0x30, 0x31, 0x39, 0x3A, 0x3B,
        0x3D, 0x45, 0x5C, 0x65, 0x7B, 0x7D, 0x7E, 0x7F, 0x80, 0xBF, 0xC0, 0xED, 0xF4, 0xFE, 0xFF,
    ];

    public byte[] Mutate(byte[] input, IReadOnlyList<byte[]> corpus)
    {
        var data = new List<byte>(input);
        int stack = 1 << random.Next(5);
        for (int i = 0; i < stack; i++) MutateOnce(data, corpus);
        if (data.Count > maxLength) data.RemoveRange(maxLength, data.Count - maxLength);
        return data.ToArray();
    }

    private void MutateOnce(List<byte> data, IReadOnlyList<byte[]> corpus)
    {
        int n = data.Count;
        switch (random.Next(14))
        {
            case 0 when n > 0:
                data[random.Next(n)] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when n > 0:
                data[random.Next(n)] = (byte)random.Next(256);
                break;
            case 2 when n > 0:
                data[random.Next(n)] = Interesting[random.Next(Interesting.Length)];
                break;
            case 3 when n > 0:
                {
                    int at = random.Next(n);
                    data[at] = (byte)(data[at] + random.Next(-16, 17));
                    break;
                }
            case 4 when n > 1:
                {
                    // A 16-bit word, either byte order (lengths, opcodes).
                    int at = random.Next(n - 1);
                    bool big = random.Next(2) == 0;
                    int v = big ? (data[at] << 8) | data[at + 1] : data[at] | (data[at + 1] << 8);
                    v = random.Next(3) switch { 0 => v + random.Next(-16, 17), 1 => random.Next(65536), _ => Pick(0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF) };
                    data[at] = (byte)(big ? v >> 8 : v);
                    data[at + 1] = (byte)(big ? v : v >> 8);
                    break;
                }
            case 5:
                data.Insert(random.Next(n + 1), (byte)random.Next(256));
                break;
            case 6 when n > 0:
                {
                    int at = random.Next(n);
                    data.RemoveRange(at, 1 + random.Next(Math.Min(n - at, 16)));
                    break;
                }
            case 7 when n > 0:
                {
                    // Duplicate a range (repeated fields, chunks, options).
                    int at = random.Next(n);
                    int count = 1 + random.Next(Math.Min(n - at, 64));
                    data.InsertRange(random.Next(n + 1), data.GetRange(at, count));
                    break;
                }
            case 8:
                {
                    // A long run of one byte: hundreds of zeros in a number, a long line, a long token.
                    byte b = n > 0 && random.Next(2) == 0 ? data[random.Next(n)] : Interesting[random.Next(Interesting.Length)];
                    int count = random.Next(3) == 0 ? random.Next(1, 1000) : random.Next(1, 40);
                    data.InsertRange(random.Next(n + 1), Enumerable.Repeat(b, count));
                    break;
                }
            case 9 when dictionary.Count > 0:
                data.InsertRange(random.Next(n + 1), dictionary[random.Next(dictionary.Count)]);
                break;
            case 10 when dictionary.Count > 0 && n > 0:
                {
                    byte[] token = dictionary[random.Next(dictionary.Count)];
                    int at = random.Next(n);
                    for (int k = 0; k < token.Length && at + k < n; k++) data[at + k] = token[k];
                    break;
                }
            case 11 when corpus.Count > 0:
                {
                    // Splice: our head, another input's tail.
                    byte[] other = corpus[random.Next(corpus.Count)];
                    int cut = random.Next(n + 1);
                    int from = random.Next(other.Length + 1);
                    data.RemoveRange(cut, n - cut);
                    data.AddRange(other.AsSpan(from).ToArray());
                    break;
                }
            case 12 when n > 0:
                {
                    int keep = random.Next(n); // truncate
                    data.RemoveRange(keep, n - keep);
                    break;
                }
            case 13 when n > 1:
                {
                    // Move a range elsewhere (reordered fields).
                    int at = random.Next(n);
                    int count = 1 + random.Next(Math.Min(n - at, 32));
                    var range = data.GetRange(at, count);
                    data.RemoveRange(at, count);
                    data.InsertRange(random.Next(data.Count + 1), range);
                    break;
                }
            default:
                data.Insert(random.Next(n + 1), Interesting[random.Next(Interesting.Length)]);
                break;
        }
    }

    private int Pick(params int[] values) => values[random.Next(values.Length)];
}
