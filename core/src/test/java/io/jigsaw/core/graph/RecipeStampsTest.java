package io.jigsaw.core.graph;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A trained join is retrained when a model it learnt from changes; nothing else is. */
class RecipeStampsTest {

    @TempDir
    Path dir;

    private Map<String, String> stamps(String yaml) throws IOException {
        Graph g = GraphLoader.load(Files.writeString(dir.resolve("graph.yaml"), yaml));
        return RecipeStamps.of(g, RecipeStamps.recipeFlow(g));
    }

    private static String trained(String yaml) {
        return yaml.replace("dense: 5}", "dense: 5, train: 10}").replace("dense: 3}", "dense: 3, train: 10}");
    }

    @Test
    void aTrainedJoinsStampNamesTheTrainedModelsAboveIt() throws IOException {
        Map<String, String> s = stamps(trained(DataflowTest.SCENE));

        assertThat(s).containsKeys("d", "c", "z", "f");
        assertThat(s.get("f")).contains("trained on the answers of").contains("c: " + s.get("c"));
        assertThat(s.get("c")).doesNotContain("answers");
    }

    @Test
    void changingAnUpstreamRecipeChangesTheJoinsStampOnly() throws IOException {
        Map<String, String> before = stamps(trained(DataflowTest.SCENE));
        Map<String, String> after = stamps(trained(DataflowTest.SCENE.replace("conv: [8], dense: 3", "conv: [16], dense: 3")));

        assertThat(after.get("c")).isNotEqualTo(before.get("c"));
        assertThat(after.get("f")).isNotEqualTo(before.get("f"));
        assertThat(after.get("d")).isEqualTo(before.get("d"));
        assertThat(after.get("z")).isEqualTo(before.get("z"));
    }

    @Test
    void anUntrainedJoinDependsOnItsOwnRecipeAlone() throws IOException {
        Map<String, String> before = stamps(DataflowTest.SCENE);
        Map<String, String> after = stamps(DataflowTest.SCENE.replace("conv: [8], dense: 3", "conv: [16], dense: 3"));

        assertThat(after.get("f")).isEqualTo(before.get("f"));
    }
}
