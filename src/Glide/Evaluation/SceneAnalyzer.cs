using Glide.Imaging;

namespace Glide.Evaluation;

/// <summary>
/// Checks a generated image against its caption, deterministically and without a model: for each promised object,
/// is the dominant colour in the named region the named colour, and is the blob of that colour the named shape?
/// Works on any image size (64×64 base samples, 256×256 upsampled ones) with the world's fractional geometry.
/// </summary>
/// <remarks>
/// Per image: the background is the per-channel median of the border pixels; a pixel is an object pixel when it is
/// more than <see cref="ForegroundDistance"/> from it. Per object: the object pixels inside the region vote for
/// their nearest palette colour (interior pixels only, when there are enough, so anti-aliased edges, which blend
/// towards other palette colours, do not vote); the winner is the detected colour. The blob is then traced over the
/// whole image, so an object that crosses its region's edge keeps its shape: a pixel belongs to it when it lies on
/// the line from the background to the object's measured colour (within <see cref="ColourLineDistance"/>) and at
/// least half way along, which is 50% coverage of an anti-aliased edge. The 8-connected blob with most pixels in
/// the region is measured by <see cref="ShapeGeometry"/>.
/// </remarks>
public static class SceneAnalyzer
{
    /// <summary>RGB distance from the background beyond which a pixel is part of an object. The world's nearest
    /// colour–background pair (purple on gray, jittered) is about 70 apart.</summary>
    public const int ForegroundDistance = 40;

    /// <summary>How far (RGB) a pixel may lie from the background–object colour line and still be the object.</summary>
    public const int ColourLineDistance = 40;

    /// <summary>Fewer object pixels than this fraction of the image (or 4) in a region is nothing: the world's
    /// smallest shape covers over 1.5%.</summary>
    public const double MinimumObjectFraction = 0.002;

    private static readonly int[] NeighbourX = [-1, 0, 1, -1, 1, -1, 0, 1];
    private static readonly int[] NeighbourY = [-1, -1, -1, 0, 0, 1, 1, 1];

    public static SceneAnalysis Analyze(RgbImage image, EvalCaption caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        return Analyze(image, caption.Objects);
    }

    /// <summary>Analyzes each of <paramref name="objects"/> in <paramref name="image"/>.</summary>
    public static SceneAnalysis Analyze(RgbImage image, IReadOnlyList<CaptionObject> objects)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(objects);
        var scene = new Scene(image);
        var background = ShapePalette.Backgrounds[
            ShapePalette.Nearest(ShapePalette.Backgrounds, scene.Background.R, scene.Background.G, scene.Background.B)];
        return new SceneAnalysis(scene.Background, background, [.. objects.Select(scene.AnalyzeObject)]);
    }

    /// <summary>The smallest pixel count that counts as an object in a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    public static int MinimumPixels(int width, int height) =>
        Math.Max(4, (int)Math.Ceiling(MinimumObjectFraction * width * height));

    /// <summary>One image's pixels, background and object-pixel masks, shared by its objects' analyses.</summary>
    private sealed class Scene
    {
        private readonly byte[] _rgb;
        private readonly int _width;
        private readonly int _height;
        private readonly bool[] _foreground;
        private readonly bool[] _interior;

        public Scene(RgbImage image)
        {
            _rgb = image.Pixels.ToArray();
            _width = image.Width;
            _height = image.Height;
            Background = EstimateBackground();
            _foreground = new bool[_width * _height];
            var limit = ForegroundDistance * ForegroundDistance;
            for (var p = 0; p < _foreground.Length; p++)
            {
                _foreground[p] = DistanceSquared(p, Background) > limit;
            }

            _interior = new bool[_foreground.Length];
            for (var y = 0; y < _height; y++)
            {
                for (var x = 0; x < _width; x++)
                {
                    _interior[(y * _width) + x] = _foreground[(y * _width) + x] && AllNeighboursForeground(x, y);
                }
            }
        }

        public (byte R, byte G, byte B) Background { get; }

        public ObjectAnalysis AnalyzeObject(CaptionObject expected)
        {
            var region = expected.Region;
            var palette = ShapePalette.Objects;
            var nearest = new int[_foreground.Length];
            var allVotes = new int[palette.Count];
            var interiorVotes = new int[palette.Count];
            var objectPixels = 0;
            var interiorPixels = 0;
            for (var y = 0; y < _height; y++)
            {
                for (var x = 0; x < _width; x++)
                {
                    var p = (y * _width) + x;
                    nearest[p] = -1;
                    if (!_foreground[p] || !region.Contains(x, y, _width, _height))
                    {
                        continue;
                    }

                    var k = ShapePalette.Nearest(palette, _rgb[3 * p], _rgb[(3 * p) + 1], _rgb[(3 * p) + 2]);
                    nearest[p] = k;
                    allVotes[k]++;
                    objectPixels++;
                    if (_interior[p])
                    {
                        interiorVotes[k]++;
                        interiorPixels++;
                    }
                }
            }

            var minimum = MinimumPixels(_width, _height);
            if (objectPixels < minimum)
            {
                return new ObjectAnalysis(expected, null, null, objectPixels, null);
            }

            var useInterior = interiorPixels >= minimum;
            var votes = useInterior ? interiorVotes : allVotes;
            var dominant = 0;
            for (var k = 1; k < votes.Length; k++)
            {
                dominant = votes[k] > votes[dominant] ? k : dominant;
            }

            var colour = MedianColour(p => nearest[p] == dominant && (!useInterior || _interior[p]));
            var blob = LargestBlob(OnColourLine(colour), region);
            if (blob.Count < minimum)
            {
                return new ObjectAnalysis(expected, palette[dominant], null, objectPixels, null);
            }

            var geometry = ShapeGeometry.Measure(blob, _width, _height);
            return new ObjectAnalysis(expected, palette[dominant], geometry.Classify(), objectPixels, geometry);
        }

        private (byte R, byte G, byte B) EstimateBackground()
        {
            var border = new List<int>(2 * (_width + _height));
            for (var y = 0; y < _height; y++)
            {
                for (var x = 0; x < _width; x++)
                {
                    if (y == 0 || y == _height - 1 || x == 0 || x == _width - 1)
                    {
                        border.Add((y * _width) + x);
                    }
                }
            }

            return Median(border);
        }

        private (byte R, byte G, byte B) MedianColour(Func<int, bool> select) =>
            Median([.. Enumerable.Range(0, _foreground.Length).Where(select)]);

        private (byte R, byte G, byte B) Median(IReadOnlyList<int> pixels)
        {
            byte Channel(int c)
            {
                var values = pixels.Select(p => _rgb[(3 * p) + c]).Order().ToArray();
                return values[values.Length / 2];
            }

            return (Channel(0), Channel(1), Channel(2));
        }

        /// <summary>Pixels at least half way from the background to <paramref name="colour"/>, near that line.</summary>
        private bool[] OnColourLine((byte R, byte G, byte B) colour)
        {
            var bg = Background;
            double dr = colour.R - bg.R, dg = colour.G - bg.G, db = colour.B - bg.B;
            var length = (dr * dr) + (dg * dg) + (db * db);
            var mask = new bool[_foreground.Length];
            if (length < 1)
            {
                return mask;
            }

            var limit = (double)ColourLineDistance * ColourLineDistance;
            for (var p = 0; p < mask.Length; p++)
            {
                double vr = _rgb[3 * p] - bg.R, vg = _rgb[(3 * p) + 1] - bg.G, vb = _rgb[(3 * p) + 2] - bg.B;
                var along = ((vr * dr) + (vg * dg) + (vb * db)) / length;
                double er = vr - (along * dr), eg = vg - (along * dg), eb = vb - (along * db);
                mask[p] = along >= 0.5 && (er * er) + (eg * eg) + (eb * eb) <= limit;
            }

            return mask;
        }

        /// <summary>The 8-connected blob of <paramref name="mask"/> with most pixels inside the region (the first
        /// in scan order on a tie); all its pixels, inside the region or not.</summary>
        private List<int> LargestBlob(bool[] mask, SceneRegion region)
        {
            var labels = new int[mask.Length];
            var stack = new Stack<int>();
            var bestLabel = 0;
            var bestInside = 0;
            var next = 0;
            for (var start = 0; start < mask.Length; start++)
            {
                if (!mask[start] || labels[start] != 0)
                {
                    continue;
                }

                var label = ++next;
                var inside = 0;
                labels[start] = label;
                stack.Push(start);
                while (stack.Count > 0)
                {
                    var p = stack.Pop();
                    var (y, x) = Math.DivRem(p, _width);
                    inside += region.Contains(x, y, _width, _height) ? 1 : 0;
                    for (var n = 0; n < NeighbourX.Length; n++)
                    {
                        int nx = x + NeighbourX[n], ny = y + NeighbourY[n];
                        if (nx < 0 || ny < 0 || nx >= _width || ny >= _height)
                        {
                            continue;
                        }

                        var q = (ny * _width) + nx;
                        if (mask[q] && labels[q] == 0)
                        {
                            labels[q] = label;
                            stack.Push(q);
                        }
                    }
                }

                if (inside > bestInside)
                {
                    bestInside = inside;
                    bestLabel = label;
                }
            }

            var blob = new List<int>();
            for (var p = 0; bestLabel != 0 && p < labels.Length; p++)
            {
                if (labels[p] == bestLabel)
                {
                    blob.Add(p);
                }
            }

            return blob;
        }

        private bool AllNeighboursForeground(int x, int y)
        {
            for (var n = 0; n < NeighbourX.Length; n++)
            {
                int nx = x + NeighbourX[n], ny = y + NeighbourY[n];
                if (nx < 0 || ny < 0 || nx >= _width || ny >= _height || !_foreground[(ny * _width) + nx])
                {
                    return false;
                }
            }

            return true;
        }

        private int DistanceSquared(int p, (byte R, byte G, byte B) colour)
        {
            int dr = _rgb[3 * p] - colour.R, dg = _rgb[(3 * p) + 1] - colour.G, db = _rgb[(3 * p) + 2] - colour.B;
            return (dr * dr) + (dg * dg) + (db * db);
        }
    }
}
