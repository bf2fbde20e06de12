package io.streamdl.ingest.interactions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamdl.schemas.avro.Interaction;
import io.streamdl.schemas.config.ConfigException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UserSimulatorTest {
    private static final long START = 1_700_000_000_000L;
    private static ItemCatalogue items;

    @BeforeAll
    static void loadCatalogue() {
        items = ItemCatalogue.fashionMnistTest();
    }

    private static UserSimulator simulator(int users, long seed, long driftAt) {
        return new UserSimulator(items, new SimulatorConfig(users, 200, seed, driftAt, START));
    }

    private static List<SimulatedInteraction> take(UserSimulator sim, int n) {
        List<SimulatedInteraction> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(sim.next());
        }
        return out;
    }

    @Test
    void theSameSeedGivesTheSameStreamAndAnotherSeedAnother() {
        List<SimulatedInteraction> a = take(simulator(300, 42, 2_000), 5_000);
        List<SimulatedInteraction> b = take(simulator(300, 42, 2_000), 5_000);
        List<SimulatedInteraction> c = take(simulator(300, 43, 2_000), 5_000);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
        assertThat(a).extracting(SimulatedInteraction::index).startsWith(0L, 1L, 2L);
        // event time: the start plus index / rate (200 per second: 5 ms apart)
        assertThat(a.get(0).ts()).isEqualTo(START);
        assertThat(a.get(4_999).ts()).isEqualTo(START + 4_999 * 5);

        Interaction record = a.get(7).toAvro();
        assertThat(record.getUserId()).isEqualTo("user-" + a.get(7).user());
        assertThat(record.getItemId()).isEqualTo("item-" + a.get(7).item());
        assertThat(record.getKind()).isIn("view", "click", "purchase");
        assertThat(items.indexOf(record.getItemId())).isEqualTo(a.get(7).item());
    }

    @Test
    void aUsersInteractionsConcentrateOnTheirFavouriteClasses() {
        UserSimulator sim = simulator(100, 1, 0);
        int[] total = new int[100];
        int[] inFavourites = new int[100];
        for (SimulatedInteraction x : take(sim, 40_000)) {
            total[x.user()]++;
            if (sim.tastes(x.user()).isFavourite(items.classOf(x.item()))) {
                inFavourites[x.user()]++;
            }
        }
        double uniform = 0;
        int measured = 0;
        for (int u = 0; u < 100; u++) {
            uniform += sim.tastes(u).favourites().length / 10.0;
            if (total[u] >= 100) {
                measured++;
                assertThat((double) inFavourites[u] / total[u])
                        .as("user %d, %d interactions", u, total[u])
                        .isGreaterThan(0.75);
            }
        }
        assertThat(measured).isGreaterThan(50);
        assertThat(uniform / 100).isLessThan(0.3);
        assertThat((double) Arrays.stream(inFavourites).sum() / 40_000)
                .isCloseTo(UserTastes.FAVOURITE_MASS, within(0.01));
    }

    @Test
    void sampledItemsAreThoseOfHighTrueUtility() {
        UserSimulator sim = simulator(50, 2, 0);
        double[] catalogueMean = new double[50];
        List<Set<Integer>> topFivePercent = new ArrayList<>();
        for (int u = 0; u < 50; u++) {
            UserTastes t = sim.tastes(u);
            double sum = 0;
            double mass = 0;
            for (int i = 0; i < items.size(); i++) {
                sum += t.utility(i);
                mass += t.probability(i);
            }
            // the utilities are log-probabilities: their softmax is the sampling distribution
            assertThat(mass).isCloseTo(1.0, within(1e-9));
            catalogueMean[u] = sum / items.size();
            topFivePercent.add(new HashSet<>());
            for (int i : t.topK(items.size() / 20)) {
                topFivePercent.get(u).add(i);
            }
            int[] top = t.topK(10);
            assertThat(t.utility(top[0])).isGreaterThanOrEqualTo(t.utility(top[9]));
            assertThat(t.topK(3)).containsExactly(top[0], top[1], top[2]);
        }
        double gain = 0;
        int inTop = 0;
        int n = 20_000;
        for (SimulatedInteraction x : take(sim, n)) {
            gain += sim.tastes(x.user()).utility(x.item()) - catalogueMean[x.user()];
            if (topFivePercent.get(x.user()).contains(x.item())) {
                inTop++;
            }
        }
        System.out.printf(
                "sampled items: utility %.2f above the catalogue mean, %.2f in the top 5%%%n",
                gain / n, (double) inTop / n);
        assertThat(gain / n).isGreaterThan(3.0);
        assertThat((double) inTop / n).isGreaterThan(0.5);
    }

    @Test
    void theDriftMovesEveryUserToOtherClassesFromItsIndexOn() {
        UserSimulator sim = simulator(50, 3, 20_000);
        UserTastes[] before = new UserTastes[50];
        for (int u = 0; u < 50; u++) {
            before[u] = sim.tastes(u);
        }
        int[] after = new int[50];
        int[] afterInOld = new int[50];
        int[] afterInNew = new int[50];
        for (SimulatedInteraction x : take(sim, 40_000)) {
            int c = items.classOf(x.item());
            if (x.index() < 20_000) {
                assertThat(sim.tastesAt(x.user(), x.index())).isSameAs(before[x.user()]);
            } else {
                after[x.user()]++;
                afterInOld[x.user()] += before[x.user()].isFavourite(c) ? 1 : 0;
                afterInNew[x.user()] += sim.tastes(x.user()).isFavourite(c) ? 1 : 0;
            }
        }
        for (int u = 0; u < 50; u++) {
            UserTastes now = sim.tastes(u);
            assertThat(now).isNotSameAs(before[u]);
            for (int c : now.favourites()) {
                assertThat(before[u].isFavourite(c)).as("user %d class %d", u, c).isFalse();
            }
            assertThat(toList(now.topK(10)))
                    .doesNotContainAnyElementsOf(toList(before[u].topK(10)));
            if (after[u] >= 100) {
                assertThat((double) afterInOld[u] / after[u]).as("user %d", u).isLessThan(0.15);
                assertThat((double) afterInNew[u] / after[u]).as("user %d", u).isGreaterThan(0.75);
            }
        }
        assertThat(sim.tastesAt(0, 19_999)).isSameAs(before[0]);
    }

    @Test
    void kindsAndActivityFollowTheirDocumentedProbabilities() {
        UserSimulator sim = simulator(100, 4, 0);
        int n = 50_000;
        Map<InteractionKind, Integer> kinds = new EnumMap<>(InteractionKind.class);
        int[] perUser = new int[100];
        for (SimulatedInteraction x : take(sim, n)) {
            kinds.merge(x.kind(), 1, Integer::sum);
            perUser[x.user()]++;
        }
        for (InteractionKind k : InteractionKind.values()) {
            assertThat((double) kinds.get(k) / n)
                    .as(k.name())
                    .isCloseTo(k.probability(), within(0.01));
        }
        assertThat(InteractionKind.VIEW.weight()).isEqualTo(1);
        assertThat(InteractionKind.CLICK.weight()).isEqualTo(2);
        assertThat(InteractionKind.PURCHASE.weight()).isEqualTo(5);
        assertThat(InteractionKind.fromWireName("click")).isEqualTo(InteractionKind.CLICK);
        assertThat(InteractionKind.fromWireName("like")).isNull();

        double variation = 0;
        double[] activity = new double[100];
        double total = 0;
        for (int u = 0; u < 100; u++) {
            activity[u] = sim.activity(u);
            total += activity[u];
            variation += Math.abs((double) perUser[u] / n - activity[u]) / 2;
        }
        assertThat(total).isCloseTo(1.0, within(1e-9));
        assertThat(variation).as("total variation from the activity").isLessThan(0.03);
        // skewed: the 10 most active users of 100 have far more than a tenth of the interactions
        int[] sorted = Arrays.stream(perUser).sorted().toArray();
        double topTen = 0;
        for (int u = 90; u < 100; u++) {
            topTen += sorted[u];
        }
        System.out.printf("the 10%% most active users have %.2f of the interactions%n", topTen / n);
        assertThat(topTen / n).isGreaterThan(0.25);
        assertThat(sorted[99]).isGreaterThan(10 * Math.max(1, sorted[0]));
    }

    @Test
    void aBadConfigIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> new SimulatorConfig(0, 10, 1, 0, 0))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'users'");
        assertThatThrownBy(() -> new SimulatorConfig(10, 0, 1, 0, 0))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'rate'");
        assertThatThrownBy(() -> new SimulatorConfig(10, 10, 1, -1, 0))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'drift-at'");
    }

    private static List<Integer> toList(int[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}
