using BenchmarkDotNet.Running;

namespace ManagedTls.Benchmarks;

/// <summary>Runs the benchmarks chosen on the command line (BenchmarkDotNet's switcher).</summary>
public static class Program
{
    /// <summary>Entry point; <c>smoke [count] [filter]</c> times the TLS benchmarks quickly without BenchmarkDotNet; <c>idle [pairs] [version]</c> measures memory per idle connection; <c>parallel [seconds] [rounds] [tls13|tls12] [key] [tickets]</c> compares full handshakes on one and two threads over shared contexts.</summary>
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "smoke")
        {
            Tls.Smoke.Run(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "profile")
        {
            Tls.Profile.Run(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "floorratio")
        {
            Tls.FloorRatio.Run(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "allocs")
        {
            Tls.AllocationProfile.Run(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "idle")
        {
            Tls.IdleMemory.Run(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "parallel")
        {
            Tls.ParallelHandshakes.Run(args[1..]);
            return;
        }

        if (args.Length > 0 && args[0] == "primitives")
        {
            Tls.Primitives.Run(args[1..]);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
