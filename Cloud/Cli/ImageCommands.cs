using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Ota.Image;
using CoreFirmware.SparkCore;
using Spectre.Console;

namespace CoreFirmware.Cloud.Cli;

/// <summary>
/// <c>corefw image keygen|sign|verify|inspect</c>: P-256 signing keys and signed images
/// (format in <see cref="ImageFormat"/>), in the manner of MCUboot's imgtool.
/// </summary>
internal static class ImageCommands
{
    /// <param name="console">Where output goes.</param>
    /// <param name="guard">Runs an action, turning CLI errors into exit codes.</param>
    /// <param name="registryFolder">The local cloud's registry folder (from --registry): its image key
    /// (image_key.pem) is used by sign and verify when no --key is given.</param>
    public static Command Build(IAnsiConsole console, Func<IAnsiConsole, Func<Task<int>>, Task<int>> guard, Func<ParseResult, string> registryFolder)
    {
        var image = new Command("image", "Signing keys and signed firmware images");

        // keygen
        var keyBase = new Argument<string>("base") { Description = "Output path without extension: writes <base>.pem, <base>.pub.pem, <base>.pub.bin" };
        var force = new Option<bool>("--force") { Description = "Overwrite existing key files" };
        var keygen = new Command("keygen", "Create an ECDSA P-256 key pair (PKCS#8 / SPKI PEM, plus the raw 65-byte public point for the device)");
        keygen.Arguments.Add(keyBase);
        keygen.Options.Add(force);
        keygen.SetAction((p, ct) => guard(console, () => Task.FromResult(Keygen(console, p.GetValue(keyBase)!, p.GetValue(force)))));
        image.Subcommands.Add(keygen);

        // sign
        var payload = new Argument<string>("payload") { Description = "Payload (application binary)" };
        var signKey = new Option<string?>("--key") { Description = "Private key PEM (default: the local cloud's image key, image_key.pem in the --registry folder)" };
        var version = new Option<string>("--version") { Description = "major.minor.revision[+build]", Required = true };
        var board = new Option<string>("--board") { Description = "Board: sparkcore or a number (0x.. hex)", DefaultValueFactory = _ => "sparkcore" };
        var output = new Option<string>("--output", "-o") { Description = "Signed image file", Required = true };
        var sign = new Command("sign", "Sign a payload into an image (header + payload + trailer)");
        sign.Arguments.Add(payload);
        sign.Options.Add(signKey);
        sign.Options.Add(version);
        sign.Options.Add(board);
        sign.Options.Add(output);
        sign.SetAction((p, ct) => guard(console, () => Task.FromResult(Sign(console, p.GetValue(payload)!, p.GetValue(signKey),
            registryFolder(p), p.GetValue(version)!, p.GetValue(board)!, p.GetValue(output)!))));
        image.Subcommands.Add(sign);

        // verify
        var file = new Argument<string>("image") { Description = "Signed image file" };
        var verifyKey = new Option<string?>("--key") { Description = "Public key (PEM, or the .pub.bin point; a private PEM works too; default: the local cloud's image key)" };
        var verifyBoard = new Option<string>("--board") { Description = "Expected board: sparkcore or a number", DefaultValueFactory = _ => "sparkcore" };
        var slot = new Option<int>("--slot-size") { Description = "Slot size bound in bytes", DefaultValueFactory = _ => SparkCoreFlashLayout.SlotSize };
        var verify = new Command("verify", "Verify an image's header, digest and signature");
        verify.Arguments.Add(file);
        verify.Options.Add(verifyKey);
        verify.Options.Add(verifyBoard);
        verify.Options.Add(slot);
        verify.SetAction((p, ct) => guard(console, () => Task.FromResult(Verify(console, p.GetValue(file)!, p.GetValue(verifyKey),
            registryFolder(p), p.GetValue(verifyBoard)!, p.GetValue(slot)))));
        image.Subcommands.Add(verify);

        // inspect
        var inspectFile = new Argument<string>("image") { Description = "Signed image file" };
        var inspect = new Command("inspect", "Show an image's header and trailer fields");
        inspect.Arguments.Add(inspectFile);
        inspect.SetAction((p, ct) => guard(console, () => Task.FromResult(Inspect(console, p.GetValue(inspectFile)!))));
        image.Subcommands.Add(inspect);
        return image;
    }

    internal static uint ParseBoard(string text)
    {
        if (text.Equals("sparkcore", StringComparison.OrdinalIgnoreCase)) return SparkCoreBoard.ImageBoardId;
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && uint.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint hex)) return hex;
        if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint dec)) return dec;
        throw new CliException($"'{text}' is not a board (sparkcore, or a number).");
    }

    private static int Keygen(IAnsiConsole console, string basePath, bool force)
    {
        if (!force && (File.Exists(basePath + ".pem") || File.Exists(basePath + ".pub.pem")))
        {
            throw new CliException($"{basePath}.pem exists (use --force to replace it).");
        }

        using ECDsa key = ImageSigner.GenerateKey();
        var (priv, pub, point) = ImageSigner.WriteKeyPair(key, basePath);
        console.MarkupLineInterpolated($"[green]created[/] P-256 key pair");
        console.MarkupLineInterpolated($"  private key  {priv}");
        console.MarkupLineInterpolated($"  public key   {pub}");
        console.MarkupLineInterpolated($"  device key   {point} (65-byte point)");
        return CorefwCli.ExitOk;
    }

    // --key, or else the local cloud's image key in the registry folder. Never creates a key: a key made
    // here silently would sign images no device trusts. Says which key it uses.
    private static ECDsa LoadKeyOrCloudKey(IAnsiConsole console, string? keyPath, string registryFolder, out string used)
    {
        if (keyPath != null)
        {
            if (!File.Exists(keyPath)) throw new CliException($"No such key file: {keyPath}");
            used = keyPath;
            console.MarkupLineInterpolated($"key: {keyPath} (--key)");
            return ImageSigner.LoadKey(keyPath);
        }

        DeviceRegistry registry = DeviceRegistry.Open(registryFolder);
        if (!registry.HasImageKey)
        {
            throw new CliException($"No image key: {registry.ImageKeyPath} does not exist. Pass --registry <folder> of the local cloud "
                + "whose devices should take the image (its image_key.pem; `core` and `serve` print the folder), or --key <private.pem> "
                + "(`corefw image keygen` makes one; devices must be provisioned with its public point).");
        }

        used = registry.ImageKeyPath;
        console.MarkupLineInterpolated($"key: {used} (the local cloud's image key, from the registry folder)");
        return registry.LoadImageSigningKey();
    }

    private static int Sign(IAnsiConsole console, string payloadPath, string? keyPath, string registryFolder, string versionText, string boardText, string outputPath)
    {
        if (!File.Exists(payloadPath)) throw new CliException($"No such file: {payloadPath}");
        ImageVersion version = ImageVersion.Parse(versionText);
        uint boardId = ParseBoard(boardText);
        using ECDsa key = LoadKeyOrCloudKey(console, keyPath, registryFolder, out keyPath);
        try
        {
            key.ExportParameters(true);
        }
        catch (CryptographicException)
        {
            throw new CliException($"{keyPath} holds no private key.");
        }

        byte[] payloadBytes = File.ReadAllBytes(payloadPath);
        byte[] image = ImageSigner.Sign(payloadBytes, version, boardId, key);
        File.WriteAllBytes(outputPath, image);
        console.MarkupLineInterpolated($"[green]signed[/] {outputPath}: {image.Length} bytes, version {version}, board 0x{boardId:x8}, key {keyPath}; payload {PayloadKind(payloadBytes, 0, payloadBytes.Length)}");
        return CorefwCli.ExitOk;
    }

    private static int Verify(IAnsiConsole console, string path, string? keyPath, string registryFolder, string boardText, int slotSize)
    {
        if (!File.Exists(path)) throw new CliException($"No such file: {path}");
        using ECDsa key = LoadKeyOrCloudKey(console, keyPath, registryFolder, out _);
        ImageVerifyResult r = ImageSigner.Verify(File.ReadAllBytes(path), key, ParseBoard(boardText), slotSize);
        if (r == ImageVerifyResult.Ok)
        {
            console.MarkupLineInterpolated($"[green]verify Ok[/]: {path}");
            return CorefwCli.ExitOk;
        }

        console.MarkupLineInterpolated($"[red]verify failed[/]: {r}");
        return CorefwCli.ExitFailed;
    }

    /// <summary>What a payload is: a nanoFramework deployment (what a device's nanoCLR loads), a .NET assembly (the CoreCLR runner's), or other bytes.</summary>
    private static string PayloadKind(byte[] bytes, int offset, int count)
    {
        ReadOnlySpan<byte> p = bytes.AsSpan(offset, count);
        if (p.StartsWith("NFMRK1"u8)) return "nanoFramework deployment (.pe)";
        if (p.StartsWith("MZ"u8)) return ".NET assembly";
        return "other bytes";
    }

    private static int Inspect(IAnsiConsole console, string path)
    {
        if (!File.Exists(path)) throw new CliException($"No such file: {path}");
        SignedImage img = SignedImage.Parse(File.ReadAllBytes(path));
        ImageHeader h = img.Header;
        console.WriteLine($"file           {path} ({img.Length} bytes)");
        console.WriteLine($"magic          0x{h.Magic:x8}{(h.Magic == ImageFormat.Magic ? "" : " (BAD)")}");
        console.WriteLine($"format         {h.FormatVersion}");
        console.WriteLine($"header size    {h.HeaderSize}");
        console.WriteLine($"board          0x{h.BoardId:x8}{(h.BoardId == SparkCoreBoard.ImageBoardId ? " (sparkcore)" : "")}");
        console.WriteLine($"version        {h.Major}.{h.Minor}.{h.Revision}+{h.Build}");
        console.WriteLine($"payload size   {h.PayloadSize}");
        byte[] bytes = File.ReadAllBytes(path);
        if (h.HeaderSize + (long)h.PayloadSize <= bytes.Length)
            console.WriteLine($"payload        {PayloadKind(bytes, h.HeaderSize, (int)h.PayloadSize)}");
        console.WriteLine($"flags          0x{h.Flags:x8}");
        console.WriteLine($"trailer        offset {img.TrailerOffset}, {img.TrailerSize} bytes");
        foreach (ImageTlv e in img.Entries)
        {
            console.WriteLine($"  {e.TagName,-11} {e.Value.Length,3} bytes  {Convert.ToHexStringLower(e.Value)}");
        }

        if (img.Problem != null)
        {
            console.MarkupLineInterpolated($"[red]problem[/]: {img.Problem}");
            return CorefwCli.ExitFailed;
        }

        return CorefwCli.ExitOk;
    }
}
