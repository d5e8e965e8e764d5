using Glide.Pipeline;

namespace Glide.Tests.Pipeline;

/// <summary>Progress&lt;T&gt; posts to the thread pool; tests need the callback inline.</summary>
internal sealed class SynchronousProgress(Action<StageProgress> report) : IProgress<StageProgress>
{
    public void Report(StageProgress value) => report(value);
}
