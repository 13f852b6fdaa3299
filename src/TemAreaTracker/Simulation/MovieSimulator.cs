using System.Numerics;
using System.Runtime.InteropServices;
using OpenCvSharp;
using TemAreaTracker.Physics;

namespace TemAreaTracker.Simulation;

/// <summary>
/// Renders bright-field operando TEM movies of lithiating Si particles from a <see cref="SimulationScenario"/>.
/// </summary>
/// <remarks>
/// <para>Image formation, per frame k at time t:</para>
/// <list type="number">
/// <item>Mass-thickness contrast: transmission exp(−Σ τ), each sphere adding τ = 2√(R² − r²)/λ(f) along its projected
/// chord, λ(f) = λ_Si · V/V0 (the same Si mass spread over a larger volume, so swelling particles lighten); the
/// electrolyte body adds τ rising as √ of the depth inside its boundary; crystalline particles add Bragg patches (kept
/// inside 0.85 R, fading as f rises to 0.4).</item>
/// <item>Sub-pixel geometry: pixels within 1.25 px of a particle or electrolyte rim are sampled on an S×S grid
/// (S = <see cref="SimulationScenario.Supersampling"/>) and their transmissions averaged (the detector integrates over
/// the pixel); the rest at the pixel centre.</item>
/// <item>Specimen features (particles, electrolyte, carbon texture) are evaluated at the drifted position
/// p − drift(k): drift is applied at render time, never by resampling a frame. The carbon texture is a sum of random
/// plane waves, so it too is exact at any sub-pixel shift.</item>
/// <item>Illumination (camera-fixed, falling off toward the corners) × flicker; Gaussian PSF; Poisson shot noise at
/// the dose; quantisation to 8/16 bit; optional inversion; burnt-in scale bar and time stamp.</item>
/// </list>
/// <para>Deterministic: every random choice comes from <see cref="SimRandom"/> streams of the scenario's seed (one
/// per frame row for the shot noise); rows are rendered in parallel but each pixel's arithmetic is fixed, so the same
/// scenario gives the same bytes on any number of cores.</para>
/// </remarks>
internal static class MovieSimulator
{
    /// <summary>The ground truth of <paramref name="scenario"/> (same as <see cref="GroundTruth.Compute"/>).</summary>
    public static GroundTruth Truth(SimulationScenario scenario) => GroundTruth.Compute(scenario);

    /// <summary>Streams the frames of <paramref name="scenario"/> (CV_8UC1 or CV_16UC1 Mats; the caller disposes each).</summary>
    public static IEnumerable<Frame> Render(SimulationScenario scenario) => Render(scenario, GroundTruth.Compute(scenario));

    /// <summary>Streams the frames using an already computed truth of the same scenario.</summary>
    public static IEnumerable<Frame> Render(SimulationScenario scenario, GroundTruth truth)
    {
        var r = new Renderer(scenario, truth);
        for (int k = 0; k < scenario.Frames; k++)
            yield return r.RenderFrame(k);
    }

    /// <summary>Renders frame <paramref name="index"/> alone (frames are independent given the truth).</summary>
    public static Frame RenderFrame(SimulationScenario scenario, int index)
    {
        if (index < 0 || index >= scenario.Frames)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"scenario has {scenario.Frames} frames");
        return new Renderer(scenario, GroundTruth.Compute(scenario)).RenderFrame(index);
    }

    /// <summary>
    /// The noise-free intensity of frame <paramref name="index"/> before quantisation (CV_32FC1; 1 = unobstructed
    /// beam at nominal brightness), blur included when the scenario has one. For tests and figures.
    /// </summary>
    public static Mat RenderIntensity(SimulationScenario scenario, int index)
    {
        var r = new Renderer(scenario, GroundTruth.Compute(scenario));
        var img = r.Intensity(index);
        var m = new Mat(scenario.Height, scenario.Width, MatType.CV_32FC1);
        Marshal.Copy(img, 0, m.Data, img.Length);
        return m;
    }

    private sealed class Renderer
    {
        private readonly SimulationScenario _s;
        private readonly GroundTruth _t;
        private readonly int _w, _h;
        private readonly float[] _illumination;
        private readonly (double Kx, double Ky, double Phase, double Amp)[] _modes;
        private readonly BraggPatch[][] _bragg;
        private readonly float[] _carbon, _cosX, _sinX, _cosY, _sinY;

        public Renderer(SimulationScenario s, GroundTruth t)
        {
            _s = s; _t = t; _w = s.Width; _h = s.Height;
            var rnd = new SimRandom(s.Seed, 3);

            // Uneven illumination: a broad spot off the frame centre, dropping by `falloff` toward the far corner.
            double x0 = _w * (0.5 + rnd.Uniform(-0.2, 0.2)), y0 = _h * (0.5 + rnd.Uniform(-0.2, 0.2));
            double rc2 = Math.Max(Math.Max(x0 * x0 + y0 * y0, (_w - x0) * (_w - x0) + y0 * y0),
                                  Math.Max(x0 * x0 + (_h - y0) * (_h - y0), (_w - x0) * (_w - x0) + (_h - y0) * (_h - y0)));
            _illumination = new float[_w * _h];
            for (int y = 0; y < _h; y++)
                for (int x = 0; x < _w; x++)
                    _illumination[y * _w + x] = (float)(1 - s.IlluminationFalloff * ((x - x0) * (x - x0) + (y - y0) * (y - y0)) / rc2);

            // Amorphous carbon: random plane waves; most at 2-5 px (granularity), some at 15-60 px (mottling).
            const int Modes = 96;
            _modes = new (double, double, double, double)[Modes];
            double sumSq = 0;
            for (int m = 0; m < Modes; m++)
            {
                bool grain = m < 72;
                double wavelength = grain ? rnd.Uniform(2.2, 5.0) : rnd.Uniform(15, 60);
                double theta = rnd.Uniform(0, Math.PI);
                double k = 2 * Math.PI / wavelength;
                double amp = grain ? 1.0 : 1.6;
                _modes[m] = (k * Math.Cos(theta), k * Math.Sin(theta), rnd.Uniform(0, 2 * Math.PI), amp);
                sumSq += amp * amp / 2;
            }
            double norm = s.CarbonTextureStrength / Math.Sqrt(sumSq);
            for (int m = 0; m < Modes; m++) _modes[m].Amp *= norm;
            _carbon = new float[_w * _h];
            _cosX = new float[Modes * _w]; _sinX = new float[Modes * _w]; _cosY = new float[Modes * _h]; _sinY = new float[Modes * _h];

            // Bragg patches per crystalline particle, in units of its radius (they swell with it, then fade).
            _bragg = new BraggPatch[s.Particles.Count][];
            for (int i = 0; i < s.Particles.Count; i++)
            {
                if (!s.Particles[i].Crystalline || s.BraggStrength <= 0) { _bragg[i] = []; continue; }
                int count = 1 + (int)(rnd.NextDouble() * 2.999);
                _bragg[i] = new BraggPatch[count];
                for (int j = 0; j < count; j++)
                {
                    double rr = 0.35 * Math.Sqrt(rnd.NextDouble()), ang = rnd.Uniform(0, 2 * Math.PI);
                    bool band = rnd.NextDouble() < 0.35;
                    _bragg[i][j] = new BraggPatch(
                        rr * Math.Cos(ang), rr * Math.Sin(ang),
                        band ? 2.0 : rnd.Uniform(0.3, 0.55), band ? rnd.Uniform(0.08, 0.15) : rnd.Uniform(0.18, 0.35),
                        rnd.Uniform(0, Math.PI), s.BraggStrength * rnd.Uniform(0.5, 1.0));
                }
            }
        }

        private readonly record struct BraggPatch(double U, double V, double A, double B, double Angle, double Strength)
        {
            public double Cos { get; } = Math.Cos(Angle);
            public double Sin { get; } = Math.Sin(Angle);
        }

        private struct Disc
        {
            public double X, Y, R, R2, TauPerPx, Bragg0, X0, X1, Y0, Y1, Rin2, Rout2;
            public BraggPatch[] Patches;
        }

        /// <summary>Noise-free intensity, blurred, 1 = unobstructed beam at nominal brightness.</summary>
        public float[] Intensity(int k)
        {
            var s = _s;
            var drift = _t.DriftPx[k];
            double dx = drift.X, dy = drift.Y, t = _t.TimeS[k];
            int w = _w, h = _h;

            // Carbon field at specimen coordinates (x − dx, y − dy): Σ a cos(kx(x−dx) + ky(y−dy) + φ), each wave
            // separable as cos·cos − sin·sin of per-column and per-row tables. Rows are independent (parallel, same bytes).
            Array.Clear(_carbon);
            if (s.CarbonTextureStrength > 0)
            {
                int nm = _modes.Length;
                for (int m = 0; m < nm; m++)
                {
                    var (kx, ky, ph, amp) = _modes[m];
                    double phx = ph - kx * dx, phy = -ky * dy;
                    for (int x = 0; x < w; x++) { _cosX[m * w + x] = (float)(amp * Math.Cos(kx * x + phx)); _sinX[m * w + x] = (float)(amp * Math.Sin(kx * x + phx)); }
                    for (int y = 0; y < h; y++) { _cosY[m * h + y] = (float)Math.Cos(ky * y + phy); _sinY[m * h + y] = (float)Math.Sin(ky * y + phy); }
                }
                int vw = Vector<float>.Count, vEnd = w - w % vw;
                Parallel.For(0, h, y =>
                {
                    var row = _carbon.AsSpan(y * w, w);
                    for (int m = 0; m < nm; m++)
                    {
                        float cy = _cosY[m * h + y], sy = _sinY[m * h + y];
                        var cx = _cosX.AsSpan(m * w, w);
                        var sx = _sinX.AsSpan(m * w, w);
                        int x = 0;
                        for (; x < vEnd; x += vw)
                        {
                            var acc = new Vector<float>(row.Slice(x, vw));
                            acc += new Vector<float>(cx.Slice(x, vw)) * cy - new Vector<float>(sx.Slice(x, vw)) * sy;
                            acc.CopyTo(row.Slice(x, vw));
                        }
                        for (; x < w; x++) row[x] += cx[x] * cy - sx[x] * sy;
                    }
                });
            }

            // Particles at this frame.
            var discs = new Disc[s.Particles.Count];
            for (int i = 0; i < discs.Length; i++)
            {
                var pt = _t.Particles[i];
                double f = pt.Fraction[k];
                double rPx = pt.RadiusNm[k] / s.PixelSizeNm;
                // Same Si mass over V/V0 the volume, plus the Li: per unit mass Li scatters about half as strongly as
                // Si (σ ∝ Z^(4/3)/A), and Li15Si4 carries 0.93 g Li per g Si, hence the 1 + 0.49 f.
                double lambdaNm = s.SiMeanFreePathNm * SiliconSwelling.VolumeRatio(f, s.ExpansionRatio) / (1 + 0.49 * f);
                double fade = Math.Pow(Math.Clamp(1 - f / 0.4, 0, 1), 1.5);
                discs[i] = new Disc
                {
                    X = pt.CentrePx[k].X, Y = pt.CentrePx[k].Y, R = rPx, R2 = rPx * rPx,
                    TauPerPx = s.PixelSizeNm / lambdaNm, Bragg0 = fade,
                    X0 = pt.CentrePx[k].X - rPx - 1.5, X1 = pt.CentrePx[k].X + rPx + 1.5,
                    Y0 = pt.CentrePx[k].Y - rPx - 1.5, Y1 = pt.CentrePx[k].Y + rPx + 1.5,
                    Rin2 = Math.Max(0, rPx - 1.25) * Math.Max(0, rPx - 1.25), Rout2 = (rPx + 1.25) * (rPx + 1.25),
                    Patches = fade > 0 ? _bragg[i] : [],
                };
            }

            var el = s.Electrolyte;
            double retreat = 0;
            if (el?.RetreatStartS is double tr && t > tr)
            {
                double u = Math.Clamp((t - tr) / (5 * s.FrameIntervalS), 0, 1);
                retreat = el.RetreatPx * u * u * (3 - 2 * u);
            }

            int S = Math.Max(1, s.Supersampling);
            double inv = 1.0 / (S * S);
            var img = new float[w * h];
            // Projected specimen thickness (as optical depth) for the defocus fringe; not kept when there is none.
            float[]? thickness = s.DefocusFringeStrength != 0 ? new float[w * h] : null;
            // Electrolyte boundary at the pixel centres' along-edge coordinate (exact; sub-samples compute their own).
            bool alongY = el is not null && el.Edge is FrameEdge.Left or FrameEdge.Right;
            double alongShift = alongY ? dy : dx;
            var boundary = new double[Math.Max(w, h)];
            if (el is not null)
                for (int i = 0; i < boundary.Length; i++) boundary[i] = el.BoundaryPx(i - alongShift) - retreat;
            double brightness = _t.Brightness[k];
            Parallel.For(0, h, y =>
            {
                for (int x = 0; x < w; x++)
                {
                    int idx = y * w + x;
                    double elDepth = el is null ? double.NaN : boundary[alongY ? y : x] - AcrossPx(el, x - dx, y - dy);
                    bool nearRim = false;
                    for (int i = 0; i < discs.Length && !nearRim; i++)
                    {
                        ref var d = ref discs[i];
                        if (x < d.X0 || x > d.X1 || y < d.Y0 || y > d.Y1) continue;
                        double r2 = (x - d.X) * (x - d.X) + (y - d.Y) * (y - d.Y);
                        nearRim = r2 > d.Rin2 && r2 < d.Rout2;
                    }
                    double carbon = _carbon[idx];
                    if (el is not null && !nearRim) nearRim = Math.Abs(elDepth) < 1.25;
                    double T;
                    if (nearRim && S > 1)
                    {
                        double sum = 0, sumTau = 0;
                        for (int sy = 0; sy < S; sy++)
                        {
                            double py = y - 0.5 + (sy + 0.5) / S;
                            for (int sx = 0; sx < S; sx++)
                            {
                                double px = x - 0.5 + (sx + 0.5) / S;
                                double dep = el is null ? double.NaN : ElectrolyteDepth(el, px - dx, py - dy, retreat);
                                double tau = OpticalDepth(discs, el, px, py, dep, carbon);
                                sum += Math.Exp(-tau);
                                sumTau += tau;
                            }
                        }
                        T = sum * inv * Math.Exp(-carbon);
                        if (thickness is not null) thickness[idx] = (float)(sumTau * inv);
                    }
                    else
                    {
                        double tau = OpticalDepth(discs, el, x, y, elDepth, carbon);
                        T = Math.Exp(-tau - carbon);
                        if (thickness is not null) thickness[idx] = (float)tau;
                    }
                    img[idx] = (float)(_illumination[idx] * brightness * T);
                }
            });

            if (thickness is not null) AddDefocusFringe(img, thickness, s.DefocusFringeStrength, s.DefocusFringeWidthPx);

            if (s.BlurSigmaPx > 0)
            {
                using var m = new Mat(h, w, MatType.CV_32FC1);
                Marshal.Copy(img, 0, m.Data, img.Length);
                Cv2.GaussianBlur(m, m, new Size(0, 0), s.BlurSigmaPx, s.BlurSigmaPx, BorderTypes.Reflect101);
                Marshal.Copy(m.Data, img, 0, img.Length);
            }
            return img;
        }

        /// <summary>
        /// Defocus (Fresnel) fringes in the transport-of-intensity picture: I ← I·(1 + a·w²·∇²(G_w ∗ t)), t the projected
        /// thickness as optical depth (the projected potential of one material is proportional to it), G_w a Gaussian
        /// of width w (the fringe width, √(λ|Δf|) in a real microscope) and a ∝ −Δf (a &gt; 0: underfocus, bright
        /// fringe outside each rim and a dark band inside). Across a hard rim of optical depth t0 the bright fringe
        /// peaks at 0.24·a·t0 a distance w outside it. Applied before the PSF, like the lens's own transfer.
        /// </summary>
        private void AddDefocusFringe(float[] img, float[] thickness, double strength, double widthPx)
        {
            using var t = new Mat(_h, _w, MatType.CV_32FC1);
            Marshal.Copy(thickness, 0, t.Data, thickness.Length);
            Cv2.GaussianBlur(t, t, new Size(0, 0), widthPx, widthPx, BorderTypes.Reflect101);
            using var lap = new Mat();
            Cv2.Laplacian(t, lap, MatType.CV_32F, ksize: 1, borderType: BorderTypes.Reflect101);
            var l = new float[img.Length];
            Marshal.Copy(lap.Data, l, 0, l.Length);
            float k = (float)(strength * widthPx * widthPx);
            for (int i = 0; i < img.Length; i++) img[i] *= Math.Max(0, 1 + k * l[i]);
        }

        /// <summary>Distance in px of specimen point (sx, sy) from the electrolyte's entry edge.</summary>
        private double AcrossPx(ElectrolyteBody el, double sx, double sy) => el.Edge switch
        {
            FrameEdge.Left => sx,
            FrameEdge.Right => _w - 1 - sx,
            FrameEdge.Top => sy,
            _ => _h - 1 - sy,
        };

        /// <summary>Signed depth in px inside the electrolyte boundary (positive inside) at specimen point (sx, sy).</summary>
        private double ElectrolyteDepth(ElectrolyteBody el, double sx, double sy, double retreat)
        {
            (double u, double along) = el.Edge switch
            {
                FrameEdge.Left => (sx, sy),
                FrameEdge.Right => (_w - 1 - sx, sy),
                FrameEdge.Top => (sy, sx),
                _ => (_h - 1 - sy, sx),
            };
            return el.BoundaryPx(along) - retreat - u;
        }

        private static double OpticalDepth(Disc[] discs, ElectrolyteBody? el, double x, double y, double elDepth, double carbon)
        {
            double tau = 0;
            for (int i = 0; i < discs.Length; i++)
            {
                ref var d = ref discs[i];
                if (x < d.X0 || x > d.X1 || y < d.Y0 || y > d.Y1) continue;
                double ux = x - d.X, uy = y - d.Y;
                double r2 = ux * ux + uy * uy;
                if (r2 >= d.R2) continue;
                tau += 2 * Math.Sqrt(d.R2 - r2) * d.TauPerPx;
                if (d.Patches.Length == 0) continue;
                // Bragg patches: only well inside the particle (window 1 below 0.72 R, 0 beyond 0.85 R).
                double rho = Math.Sqrt(r2) / d.R;
                if (rho >= 0.85) continue;
                double win = rho <= 0.72 ? 1 : Smooth((0.85 - rho) / 0.13);
                foreach (var p in d.Patches)
                {
                    double qx = ux / d.R - p.U, qy = uy / d.R - p.V;
                    double a = (qx * p.Cos + qy * p.Sin) / p.A, b = (-qx * p.Sin + qy * p.Cos) / p.B;
                    double q2 = a * a + b * b;
                    tau += win * d.Bragg0 * p.Strength * Math.Exp(-q2 * q2);
                }
            }
            if (el is not null && elDepth > 0)
                tau += el.OpticalDepth * Math.Sqrt(Math.Min(elDepth, el.RimWidthPx) / el.RimWidthPx)
                       * (1 + 1.5 * carbon); // grainy LiOx shell: reuse the carbon field, amplified
            return tau;
        }

        private static double Smooth(double u) { u = Math.Clamp(u, 0, 1); return u * u * (3 - 2 * u); }

        public Frame RenderFrame(int k)
        {
            var s = _s;
            float[] img = Intensity(k);
            double full = s.BitDepth == 16 ? 65535 : 255;
            double scale = s.BackgroundLevel * full;
            bool noisy = double.IsFinite(s.DoseElectronsPerPx) && s.DoseElectronsPerPx > 0;
            var mat = new Mat(s.Height, s.Width, s.BitDepth == 16 ? MatType.CV_16UC1 : MatType.CV_8UC1);
            var v = new double[img.Length];
            int w = s.Width;
            // One noise stream per (frame, row): rows run in parallel and still give the same bytes.
            Parallel.For(0, s.Height, y =>
            {
                var rnd = new SimRandom(s.NoiseSeed ?? s.Seed, 1000UL + ((ulong)k << 20) + (ulong)y);
                for (int i = y * w; i < (y + 1) * w; i++)
                {
                    double intensity = Math.Max(0, img[i]);
                    if (noisy) intensity = rnd.NextPoisson(s.DoseElectronsPerPx * intensity) / s.DoseElectronsPerPx;
                    double g = intensity * scale;
                    if (s.Inverted) g = full - g;
                    v[i] = Math.Clamp(Math.Round(g), 0, full);
                }
            });
            if (s.BitDepth == 16)
            {
                var u16 = new short[v.Length];
                for (int i = 0; i < v.Length; i++) u16[i] = unchecked((short)(ushort)v[i]);
                Marshal.Copy(u16, 0, mat.Data, u16.Length);
            }
            else
            {
                var u8 = new byte[v.Length];
                for (int i = 0; i < v.Length; i++) u8[i] = (byte)v[i];
                Marshal.Copy(u8, 0, mat.Data, u8.Length);
            }
            DrawOverlays(mat, k, full);
            return new Frame(k, mat, _t.TimeS[k]);
        }

        private void DrawOverlays(Mat mat, int k, double full)
        {
            var s = _s;
            var white = new Scalar(full);
            var black = new Scalar(0);
            double fontScale = Math.Max(0.3, s.Height / 600.0);
            int thickness = 1;
            if (_t.ScaleBar is { } bar)
            {
                var size = Cv2.GetTextSize(bar.Label, HersheyFonts.HersheySimplex, fontScale, thickness, out int baseline);
                int pad = 3;
                int boxX = Math.Min(bar.Rect.X, bar.Rect.X + bar.Rect.Width / 2 - size.Width / 2) - pad;
                int boxY = bar.Rect.Y - size.Height - baseline - 2 * pad;
                var box = new Rect(boxX, boxY, s.Width - boxX, s.Height - boxY);
                Cv2.Rectangle(mat, box, black, -1);
                Cv2.Rectangle(mat, bar.Rect, white, -1);
                var org = new Point(bar.Rect.X + bar.Rect.Width / 2 - size.Width / 2, bar.Rect.Y - pad - baseline + 1);
                Cv2.PutText(mat, bar.Label, org, HersheyFonts.HersheySimplex, fontScale, white, thickness, LineTypes.Link8);
            }
            if (s.TimeStamp)
            {
                string text = $"{_t.TimeS[k]:0.0} s";
                var size = Cv2.GetTextSize(text, HersheyFonts.HersheySimplex, fontScale, thickness, out int baseline);
                int pad = 3;
                Cv2.Rectangle(mat, new Rect(0, 0, size.Width + 2 * pad + 2, size.Height + baseline + 2 * pad), black, -1);
                Cv2.PutText(mat, text, new Point(pad + 1, pad + size.Height), HersheyFonts.HersheySimplex, fontScale, white, thickness, LineTypes.Link8);
            }
        }
    }
}
