using OpenCvSharp;
using TemAreaTracker.IO;
using TemAreaTracker.Pipeline;
using Xunit;

namespace TemAreaTracker.Tests.Pipeline;

/// <summary>Which outlines are clusters: by name, by the outlines they enclose, by the particles detected inside them.</summary>
public class OutlineKindsTests
{
    private static Outline Disc(string name, double x, double y, double r, int? frame = null) =>
        new(name, Enumerable.Range(0, 36).Select(k => new Point2d(x + r * Math.Cos(k * Math.PI / 18), y + r * Math.Sin(k * Math.PI / 18))).ToArray(), frame);

    [Fact]
    public void SampleMovie01_TheClusterOutline_IsACluster_ItsFiveParticlesAreNot()
    {
        string rois = Path.Combine(TrackToFitInProcessTests.SampleMovies(), "01-electrochemical-cluster", "RoiSet.zip");
        var outlines = ImageJRoi.Read(rois);
        var kinds = OutlineKinds.Classify(outlines, []);
        Assert.Equal(["p1", "p2", "p3", "p4", "p5", "cluster"], outlines.Select(o => o.Name));
        Assert.Equal([.. Enumerable.Repeat(ParticleKind.Particle, 5), ParticleKind.Cluster], kinds.Select(k => k.Kind));
        Assert.Contains("encloses outlines p1, p2, p3, p4, p5", kinds[5].Why);
    }

    [Fact]
    public void EnclosingTwoOutlines_IsACluster_ButOnlyOnTheirFrame()
    {
        Outline[] same = [Disc("a", 40, 50, 10), Disc("b", 62, 50, 10), Disc("around", 51, 50, 30)];
        Assert.Equal([ParticleKind.Particle, ParticleKind.Particle, ParticleKind.Cluster], OutlineKinds.Classify(same, []).Select(k => k.Kind));
        Outline[] oneInside = [Disc("a", 40, 50, 10), Disc("around", 40, 50, 30)];
        Assert.All(OutlineKinds.Classify(oneInside, []), k => Assert.Equal(ParticleKind.Particle, k.Kind));
        Outline[] otherFrame = [Disc("a", 40, 50, 10, frame: 5), Disc("b", 62, 50, 10, frame: 5), Disc("around", 51, 50, 30)];
        Assert.Equal(ParticleKind.Particle, OutlineKinds.Classify(otherFrame, []).Last().Kind);
    }

    [Fact]
    public void NamedCluster_IsACluster_WhateverItEncloses()
    {
        var k = OutlineKinds.Classify([Disc("Cluster-left", 40, 50, 10), Disc("clusterless-name-not", 90, 50, 10), Disc("p1", 140, 50, 10)], []);
        Assert.Equal([ParticleKind.Cluster, ParticleKind.Cluster, ParticleKind.Particle], k.Select(x => x.Kind));
        Assert.Contains("named 'Cluster-left'", k[0].Why);
    }

    [Fact]
    public void TwoDetectedParticlesInside_MakeACluster_OneDoesNot()
    {
        Outline[] drawn = [Disc("blob", 50, 50, 25), Disc("single", 150, 50, 20)];
        Outline[] detected = [Disc("d1", 40, 50, 10), Disc("d2", 62, 50, 10), Disc("d3", 150, 50, 18)];
        var k = OutlineKinds.Classify(drawn, detected);
        Assert.Equal([ParticleKind.Cluster, ParticleKind.Particle], k.Select(x => x.Kind));
        Assert.Contains("2 particles found by the particle detector", k[0].Why);
        Assert.Null(k[1].Why);
    }
}
