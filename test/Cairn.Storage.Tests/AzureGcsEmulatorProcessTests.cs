namespace Cairn.Storage.Tests;

/// <summary>The emulator fixtures' own promises: found relative to the repository, and a clear failure when not installed.</summary>
public sealed class AzureGcsEmulatorProcessTests
{
    [Fact]
    public void Repository_root_holds_the_solution()
    {
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "Cairn.slnx")));
    }

    [Fact]
    public void Missing_emulator_fails_with_the_setup_command()
    {
        var e = Assert.Throws<InvalidOperationException>(() => AzureGcsEmulatorProcess.RequireEmulatorFile(Path.Combine("no-such-package", "main.js"), "an emulator"));
        Assert.Contains("scripts/setup.sh storage", e.Message, StringComparison.Ordinal);
        Assert.Contains("an emulator is not installed", e.Message, StringComparison.Ordinal);
    }
}
