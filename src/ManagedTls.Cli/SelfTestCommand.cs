using ManagedTls.Crypto;
using ManagedTls.SelfTest;

namespace ManagedTls.Cli;

/// <summary><c>managedtls selftest</c>: runs every known-answer test without a test runner.</summary>
internal static class SelfTestCommand
{
    public static int Run(string[] args)
    {
        bool verbose = args.Contains("-v");
        int passed = 0;
        int failed = 0;
        foreach (KnownAnswerTest test in All())
        {
            try
            {
                test.Run();
                passed++;
                if (verbose)
                {
                    Console.WriteLine($"ok   {test.Name}");
                }
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine($"FAIL {test.Name}: {e.GetType().Name}: {e.Message}");
            }
        }

        Console.WriteLine($"entropy: {OsEntropy.Instance.Mechanism}");
        Console.WriteLine($"selftest: {passed} passed, {failed} failed");
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    /// <summary>Every known-answer test of every layer.</summary>
    internal static IEnumerable<KnownAnswerTest> All()
    {
        return ManagedTls.SelfTest.SelfTest.All();
    }
}
