using System.Diagnostics;
using SharpFuzz;

namespace ManagedTls.Fuzz;

/// <summary>
/// Fuzz driver. <c>list</c>; <c>afl TARGET</c> (under afl-fuzz, SharpFuzz-instrumented);
/// <c>libfuzzer TARGET</c> (under libfuzzer-dotnet); <c>run TARGET --seconds N</c> (in-process random
/// mutation of the corpus, no coverage guidance); <c>TARGET --replay DIR|FILE</c>; <c>generate-seeds [DIR]</c>
/// (the connection targets' seeds). See fuzz/README.md.
/// </summary>
public static class Program
{
    /// <summary>Entry point; exit code 0 = no crash, 1 = crash found, 2 = usage.</summary>
    public static int Main(string[] args)
    {
        try
        {
            return Dispatch(args);
        }
        catch (UsageError e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(
                """
                usage: ManagedTls.Fuzz list
                       ManagedTls.Fuzz afl TARGET                     (run under afl-fuzz; see fuzz/afl.sh)
                       ManagedTls.Fuzz libfuzzer TARGET               (run under libfuzzer-dotnet)
                       ManagedTls.Fuzz run TARGET --seconds N [--corpus DIR] [--seed S] [--out DIR]
                       ManagedTls.Fuzz replay TARGET DIR|FILE         (also: ManagedTls.Fuzz TARGET --replay DIR|FILE)
                       ManagedTls.Fuzz generate-seeds [CORPUS_DIR]    (seeds of the connection targets, from in-memory handshakes)
                """);
            return 2;
        }
    }

    private static int Dispatch(string[] args)
    {
        if (args.Length == 0)
        {
            throw new UsageError("no command");
        }

        if (args.Length == 3 && args[1] == "--replay")
        {
            return Replay(Target(args[0]), args[2]);
        }

        switch (args[0])
        {
            case "list":
                foreach (string name in FuzzTargets.All.Keys)
                {
                    Console.WriteLine(name);
                }

                return 0;
            case "afl" when args.Length == 2:
            {
                // The instrumented library may run only inside Fuzzer.Run (its coverage map is set up
                // there), so even the target lookup, which touches the library, happens in the callback.
                FuzzTarget? t = null;
                Fuzzer.Run(stream =>
                {
                    t ??= Target(args[1]);
                    using var ms = new MemoryStream();
                    stream.CopyTo(ms);
                    FuzzTargets.RunOne(t, ms.GetBuffer().AsSpan(0, (int)ms.Length));
                });
                return 0;
            }

            case "libfuzzer" when args.Length == 2:
            {
                FuzzTarget t = Target(args[1]);
                Fuzzer.LibFuzzer.Run(span => FuzzTargets.RunOne(t, span));
                return 0;
            }

            case "generate-seeds" when args.Length <= 2:
            {
                string dir = args.Length == 2 ? args[1] : Path.Combine(FindFuzzDir(), "corpus");
                Console.WriteLine($"wrote {SeedGenerator.Write(dir)} seed(s) of the connection targets under {dir}");
                return 0;
            }

            case "replay" when args.Length == 3:
                return Replay(Target(args[1]), args[2]);
            case "run" when args.Length >= 2:
                return Mutate(args[1], args.AsSpan(2).ToArray());
            default:
                throw new UsageError($"bad arguments: {string.Join(' ', args)}");
        }
    }

    private static FuzzTarget Target(string name)
        => FuzzTargets.All.TryGetValue(name, out FuzzTarget? t) ? t : throw new UsageError($"unknown target '{name}' (try: list)");

    private static int Replay(FuzzTarget target, string path)
    {
        string[] files = Directory.Exists(path) ? Directory.GetFiles(path) : File.Exists(path) ? [path] : throw new UsageError($"no such file or directory: {path}");
        int ok = 0, rejected = 0;
        foreach (string f in files.OrderBy(x => x, StringComparer.Ordinal))
        {
            try
            {
                if (FuzzTargets.RunOne(target, File.ReadAllBytes(f)))
                {
                    ok++;
                }
                else
                {
                    rejected++;
                }
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"CRASH on {f}: {e}");
                return 1;
            }
        }

        Console.WriteLine($"replayed {files.Length} input(s): {ok} decoded, {rejected} rejected with an alert, 0 crashes");
        return 0;
    }

    private static int Mutate(string name, string[] options)
    {
        FuzzTarget target = Target(name);
        int seconds = 10;
        string corpus = Path.Combine(FindFuzzDir(), "corpus", name);
        string outDir = Path.Combine(FindFuzzDir(), "findings", name);
        int seed = Environment.TickCount;
        for (int i = 0; i < options.Length; i++)
        {
            string value = i + 1 < options.Length ? options[i + 1] : throw new UsageError($"{options[i]} needs a value");
            switch (options[i])
            {
                case "--seconds":
                    seconds = int.TryParse(value, out int s) && s > 0 ? s : throw new UsageError("--seconds needs a positive integer");
                    break;
                case "--corpus":
                    corpus = value;
                    break;
                case "--seed":
                    seed = int.TryParse(value, out int sd) ? sd : throw new UsageError("--seed needs an integer");
                    break;
                case "--out":
                    outDir = value;
                    break;
                default:
                    throw new UsageError($"unknown option {options[i]}");
            }

            i++;
        }

        var inputs = Directory.Exists(corpus) ? Directory.GetFiles(corpus).OrderBy(x => x, StringComparer.Ordinal).Select(File.ReadAllBytes).ToList() : [];
        if (inputs.Count == 0)
        {
            inputs.Add([0]);
        }

        var mutator = new Mutator(seed);
        var kept = new List<byte[]>();
        var clock = Stopwatch.StartNew();
        long runs = 0, decoded = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            byte[] input = mutator.Mutate(inputs, kept);
            runs++;
            try
            {
                if (FuzzTargets.RunOne(target, input))
                {
                    decoded++;
                    if (mutator.Keep())
                    {
                        if (kept.Count < 1024)
                        {
                            kept.Add(input);
                        }
                        else
                        {
                            kept[mutator.Next(kept.Count)] = input;
                        }
                    }
                }
            }
            catch (Exception e)
            {
                Directory.CreateDirectory(outDir);
                string file = Path.Combine(outDir, "crash-" + Fnv1a(input).ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
                File.WriteAllBytes(file, input);
                Console.Error.WriteLine($"CRASH after {runs} run(s), input saved to {file}:\n{e}");
                return 1;
            }
        }

        Console.WriteLine($"{name}: {runs} run(s) in {clock.Elapsed.TotalSeconds:F1} s (seed {seed}), {decoded} decoded, {inputs.Count} seed(s), {kept.Count} kept mutant(s), 0 crashes");
        return 0;
    }

    private static string FindFuzzDir()
    {
        for (string? d = AppContext.BaseDirectory; d is not null; d = Path.GetDirectoryName(d))
        {
            if (Directory.Exists(Path.Combine(d, "corpus")) && File.Exists(Path.Combine(d, "README.md")))
            {
                return d;
            }
        }

        return Path.Combine(Directory.GetCurrentDirectory(), "fuzz");
    }

    private static ulong Fnv1a(byte[] data)
    {
        ulong h = 14695981039346656037;
        foreach (byte b in data)
        {
            h = (h ^ b) * 1099511628211;
        }

        return h;
    }

    private sealed class UsageError(string message) : Exception(message);
}
