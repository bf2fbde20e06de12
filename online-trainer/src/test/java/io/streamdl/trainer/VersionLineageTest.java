package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VersionLineageTest {
    private static final float[] INITIAL = {0.1f, 0.2f};

    @Test
    void aFreshLineageDescendsFromTheInitialWeightsBeforeVersion1() {
        VersionLineage l = new VersionLineage(INITIAL);
        assertThat(l.version()).isZero();
        assertThat(l.nextVersion()).isEqualTo(1);
        assertThat(l.parentVersion()).isNull();
        assertThat(l.referenceQuality()).isNaN();
        assertThat(l.lastGoodParams()).isEqualTo(INITIAL);
    }

    @Test
    void eachPublishedVersionIsNumberedAfterThePreviousAndBecomesTheParent() {
        VersionLineage l = new VersionLineage(INITIAL);
        float[] v1 = {1f, 1f};
        float[] v2 = {2f, 2f};
        assertThat(l.published(0.7, v1)).isEqualTo(1);
        assertThat(l.published(0.8, v2)).isEqualTo(2);
        assertThat(l.version()).isEqualTo(2);
        assertThat(l.parentVersion()).isEqualTo(2L);
        assertThat(l.referenceQuality()).isEqualTo(0.8);
        assertThat(l.lastGoodParams()).isEqualTo(v2);
    }

    @Test
    void aVersionOnTheTopicFencesTheNumberingButNotTheParent() {
        VersionLineage l = new VersionLineage(INITIAL);
        assertThat(l.fence(5)).isTrue();
        assertThat(l.version()).isEqualTo(5);
        assertThat(l.parentVersion()).as("still the initial weights").isNull();
        assertThat(l.fence(3)).as("an older version changes nothing").isFalse();
        assertThat(l.fence(5)).isFalse();
        assertThat(l.version()).isEqualTo(5);

        assertThat(l.published(0.5, new float[] {3f, 3f})).isEqualTo(6);
        assertThat(l.parentVersion()).isEqualTo(6L);
    }

    @Test
    void aWarmStartContinuesFromTheNewestUpdate() {
        VersionLineage l = new VersionLineage(INITIAL);
        float[] newest = {4f, 4f};
        l.continueFrom(9, 0.9, newest);
        assertThat(l.version()).isEqualTo(9);
        assertThat(l.parentVersion()).isEqualTo(9L);
        assertThat(l.referenceQuality()).isEqualTo(0.9);
        assertThat(l.lastGoodParams()).isEqualTo(newest);
        assertThat(l.nextVersion()).isEqualTo(10);
    }

    @Test
    void forgettingTheReferenceKeepsVersionsAndWeights() {
        VersionLineage l = new VersionLineage(INITIAL);
        float[] v1 = {1f, 1f};
        l.published(0.9, v1);
        l.forgetReferenceQuality();
        assertThat(l.referenceQuality()).isNaN();
        assertThat(l.version()).isEqualTo(1);
        assertThat(l.lastGoodParams()).isEqualTo(v1);
    }

    @Test
    void aRestoredStateIsTheOneCaptured() {
        VersionLineage l = new VersionLineage(INITIAL);
        l.published(0.6, new float[] {1f, 1f});
        l.fence(4);
        VersionLineage restored = new VersionLineage(INITIAL);
        restored.restore(l.state());
        assertThat(restored.state()).isEqualTo(l.state());
        assertThat(restored.nextVersion()).isEqualTo(5);
        assertThat(restored.parentVersion()).isEqualTo(1L);
    }
}
