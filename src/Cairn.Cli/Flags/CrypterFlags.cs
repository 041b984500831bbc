using System.CommandLine;
using Cairn.Br.Crypto;
using Cairn.Hosting;
using Cairn.Rpc.Encryptionpb;

namespace Cairn.Cli.Flags;

/// <summary>
/// BR's encryption flags (br-spec-2 §5) — <c>--crypter.method</c> with <c>--crypter.key</c> or
/// <c>--crypter.key-file</c> — and this br's master-key mode, <c>--master-key local:///path</c> or
/// <c>--master-key-command</c>. Persistent on the command they are added to. Key values never reach a message.
/// </summary>
internal sealed class CrypterFlags
{
    public Option<string?> Method { get; } = new("--crypter.method")
    {
        Description = "encrypt the backup (SSTs and meta): plaintext (default), aes128-ctr, aes192-ctr or aes256-ctr",
        Recursive = true,
    };

    public Option<string?> Key { get; } = new("--crypter.key")
    {
        Description = "the encryption key in hex (16, 24 or 32 bytes for aes128/192/256-ctr)",
        Recursive = true,
    };

    public Option<string?> KeyFile { get; } = new("--crypter.key-file")
    {
        Description = "a file holding the encryption key in hex",
        Recursive = true,
    };

    public Option<string?> MasterKey { get; } = new("--master-key")
    {
        Description = "envelope encryption: local:///path of a file holding a 32-byte master key (64 hex digits or 32 raw bytes) that wraps a random data key per backup",
        Recursive = true,
    };

    public Option<string?> MasterKeyCommand { get; } = new("--master-key-command")
    {
        Description = "envelope encryption: a shell command that prints the 32-byte master key (64 hex digits or 32 raw bytes), for example a KMS client",
        Recursive = true,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Method);
        command.Options.Add(Key);
        command.Options.Add(KeyFile);
        command.Options.Add(MasterKey);
        command.Options.Add(MasterKeyCommand);
    }

    /// <summary>The encryption the flags describe; null when none is asked for. Throws <see cref="CliUsageException"/>.</summary>
    public BackupEncryption? Read(ParseResult parse)
    {
        var methodText = parse.GetValue(Method);
        EncryptionMethod? method = methodText is null ? null
            : CrypterMethods.Parse(methodText) ?? throw new CliUsageException($"--crypter.method: '{methodText}' is not one of plaintext, aes128-ctr, aes192-ctr, aes256-ctr");
        var keyText = parse.GetValue(Key);
        var keyFile = parse.GetValue(KeyFile);
        var master = parse.GetValue(MasterKey);
        var command = parse.GetValue(MasterKeyCommand);
        if (master is not null || command is not null)
        {
            if (master is not null && command is not null)
            {
                throw new CliUsageException("give one of --master-key and --master-key-command, not both");
            }

            if (keyText is not null || keyFile is not null)
            {
                throw new CliUsageException("--crypter.key and --crypter.key-file do not go with a master key: the data key is generated and wrapped by the master key");
            }

            if (method == EncryptionMethod.Plaintext)
            {
                throw new CliUsageException("--crypter.method plaintext does not go with a master key: drop it (the default is aes256-ctr) or name an aes method");
            }

            return new BackupEncryption { Method = method ?? CrypterMethods.MasterKeyDefault, MasterKey = Source(master, command) };
        }

        if (method is null or EncryptionMethod.Plaintext)
        {
            return keyText is null && keyFile is null
                ? null
                : throw new CliUsageException("--crypter.key and --crypter.key-file need --crypter.method aes128-ctr, aes192-ctr or aes256-ctr");
        }

        if ((keyText is null) == (keyFile is null))
        {
            throw new CliUsageException($"--crypter.method {methodText} needs exactly one of --crypter.key and --crypter.key-file");
        }

        var hex = keyText ?? ReadKeyFile(keyFile!);
        byte[] key;
        try
        {
            key = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new CliUsageException($"{(keyText is null ? "--crypter.key-file: the file does not hold" : "--crypter.key is not")} a key in hex digits");
        }

        var expected = CrypterMethods.KeyLength(method.Value);
        return key.Length == expected
            ? new BackupEncryption { Method = method.Value, Key = key }
            : throw new CliUsageException($"crypter method and key length not match: {CrypterMethods.Name(method.Value)} needs a {expected}-byte key ({expected * 2} hex digits), the key has {key.Length} bytes");
    }

    private static MasterKeySource Source(string? master, string? command)
    {
        if (command is not null)
        {
            return string.IsNullOrWhiteSpace(command) ? throw new CliUsageException("--master-key-command is empty: give the command that prints the master key") : new MasterKeySource { Command = command };
        }

        const string scheme = "local://";
        if (!master!.StartsWith(scheme, StringComparison.Ordinal) || master.Length == scheme.Length)
        {
            throw new CliUsageException($"--master-key '{master}': only local:///path/to/key is supported (use --master-key-command for a KMS)");
        }

        return new MasterKeySource { FilePath = master[scheme.Length..] };
    }

    private static string ReadKeyFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"--crypter.key-file: cannot read {path}: {e.Message}");
        }

        // BR trims exactly one trailing newline.
        return text.EndsWith('\n') ? text[..^1] : text;
    }
}
