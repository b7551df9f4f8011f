package dev.mlflowknative.camel.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import dev.mlflowknative.camel.ImageBuildException;
import dev.mlflowknative.camel.InvalidRequestException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Docker config credentials with real credential helper processes (small shell scripts speaking the helper protocol):
 * which source wins, what a helper is asked, and how missing, failing, hanging or odd helpers are reported.
 */
class RegistryCredentialsTest {

    private static final String REGISTRY = "registry.example.com:5000";
    private static final String SECRET = "helper-secret-4711";

    @TempDir
    Path temp;
    private Path bin;

    @BeforeEach
    void helperDirectory() throws IOException {
        bin = Files.createDirectories(temp.resolve("bin"));
    }

    /** docker-credential-NAME: logs each server URL it is asked for to NAME.asked, then runs {@code answer}. */
    private void helper(String name, String answer) throws IOException {
        Path script = bin.resolve("docker-credential-" + name);
        Files.writeString(script, String.join("\n",
                "#!/bin/sh",
                "[ \"$1\" = get ] || exit 9",
                "server=$(cat)",
                "echo \"$server\" >> '" + bin.resolve(name + ".asked") + "'",
                answer, ""));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A helper holding {@code user}/{@link #SECRET} for {@link #REGISTRY} only. */
    private void storeFor(String name, String user) throws IOException {
        helper(name, String.join("\n",
                "if [ \"$server\" = '" + REGISTRY + "' ]; then",
                "  printf '{\"ServerURL\":\"%s\",\"Username\":\"" + user + "\",\"Secret\":\"" + SECRET
                + "\"}' \"$server\"",
                "else",
                "  echo '" + CredentialHelpers.NOT_FOUND + "'; exit 1",
                "fi"));
    }

    private List<String> asked(String name) throws IOException {
        Path log = bin.resolve(name + ".asked");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private RegistryCredentials credentials(String config) throws IOException {
        Path file = temp.resolve("config.json");
        Files.writeString(file, config);
        return new RegistryCredentials(null, null, null, file, CredentialHelpers.in(List.of(bin),
                Duration.ofSeconds(2)));
    }

    private static String auth(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void credHelpersForTheRegistryWinOverCredsStoreAndAuths() throws IOException {
        storeFor("per-registry", "from-cred-helpers");
        storeFor("store", "from-creds-store");
        RegistryCredentials credentials = credentials("{\"auths\": {\"" + REGISTRY + "\": {\"auth\": \""
                + auth("from-auths", "x") + "\"}}, \"credsStore\": \"store\", \"credHelpers\": {\"" + REGISTRY
                + "\": \"per-registry\"}}");

        assertThat(credentials.forRegistry(REGISTRY))
                .contains(new RegistryCredentials.Credential("from-cred-helpers", SECRET));
        assertThat(asked("per-registry")).containsExactly(REGISTRY);
        assertThat(asked("store")).isEmpty();
    }

    @Test
    void credsStoreWinsOverAuthsAndServesEveryRegistryWithoutAHelper() throws IOException {
        storeFor("store", "from-creds-store");
        RegistryCredentials credentials = credentials("{\"auths\": {\"" + REGISTRY + "\": {\"auth\": \""
                + auth("from-auths", "x") + "\"}}, \"credsStore\": \"store\"}");

        assertThat(credentials.forRegistry(REGISTRY))
                .contains(new RegistryCredentials.Credential("from-creds-store", SECRET));
        assertThat(credentials.forRegistry("other.example.com")).isEmpty();
        assertThat(asked("store")).containsExactly(REGISTRY, "other.example.com");
    }

    @Test
    void aHelperIsAskedOnlyForTheRegistriesItIsNamedFor() throws IOException {
        storeFor("per-registry", "from-cred-helpers");
        RegistryCredentials credentials = credentials("{\"credHelpers\": {\"https://" + REGISTRY
                + "\": \"per-registry\"}, \"auths\": {\"other.example.com\": {}}}");

        assertThat(credentials.forRegistry("other.example.com")).isEmpty();
        assertThat(credentials.forRegistry("registry.example.com")).as("another port is another registry").isEmpty();
        assertThat(asked("per-registry")).isEmpty();
        assertThat(credentials.forRegistry(REGISTRY)).isPresent();
        assertThat(asked("per-registry")).containsExactly(REGISTRY);
    }

    @Test
    void dockerHubIsAskedForByTheServerUrlDockerLoginUses() throws IOException {
        helper("hub", "printf '{\"Username\":\"hub-user\",\"Secret\":\"" + SECRET + "\"}'");
        RegistryCredentials credentials = credentials("{\"credHelpers\": {\"docker.io\": \"hub\"}}");

        assertThat(credentials.forRegistry(ImageReference.DOCKER_HUB)).isPresent();
        assertThat(asked("hub")).containsExactly("https://index.docker.io/v1/");
    }

    @Test
    void aHelperWithNothingForTheRegistryFallsBackToAuths() throws IOException {
        helper("empty", "echo '" + CredentialHelpers.NOT_FOUND + "'; exit 1");
        RegistryCredentials credentials = credentials("{\"credsStore\": \"empty\", \"auths\": {\"" + REGISTRY
                + "\": {\"auth\": \"" + auth("from-auths", "pw") + "\"}}}");

        assertThat(credentials.forRegistry(REGISTRY)).contains(new RegistryCredentials.Credential("from-auths", "pw"));
        assertThat(credentials.forRegistry("other.example.com")).isEmpty();
    }

    @Test
    void aMissingHelperIsAClearError() throws IOException {
        RegistryCredentials credentials = credentials("{\"credHelpers\": {\"" + REGISTRY + "\": \"absent\"}}");

        assertThatThrownBy(() -> credentials.forRegistry(REGISTRY))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("docker-credential-absent is not an executable file on the PATH")
                .hasMessageContaining("credHelpers of " + temp.resolve("config.json"))
                .hasMessageContaining(REGISTRY);
    }

    @Test
    void aFailingHelperIsQuotedButAnAnswerOutsideTheProtocolIsNot() throws IOException {
        helper("locked", "echo 'the keychain is locked'; exit 3");
        helper("chatty", "echo \"Username: someone Secret: " + SECRET + "\"");
        helper("token", "printf '{\"Username\":\"<token>\",\"Secret\":\"" + SECRET + "\"}'");

        assertThatThrownBy(() -> credentials("{\"credsStore\": \"locked\"}").forRegistry(REGISTRY))
                .isInstanceOf(ImageBuildException.class)
                .hasMessage("Docker credential helper docker-credential-locked (credsStore of "
                            + temp.resolve("config.json") + ") for " + REGISTRY
                            + " failed (exit 3): the keychain is locked");
        assertThatThrownBy(() -> credentials("{\"credsStore\": \"chatty\"}").forRegistry(REGISTRY))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("answered with something other than the credential helper protocol's JSON")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
        assertThatThrownBy(() -> credentials("{\"credsStore\": \"token\"}").forRegistry(REGISTRY))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("identity token")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
    }

    @Test
    void aHangingHelperIsStoppedAfterTheTimeout() throws IOException {
        helper("hangs", "sleep 60");
        RegistryCredentials credentials = credentials("{\"credsStore\": \"hangs\"}");

        long started = System.nanoTime();
        assertThatThrownBy(() -> credentials.forRegistry(REGISTRY))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("did not answer within 2 s");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aHelperNameCannotLeaveThePath() throws IOException {
        assertThatThrownBy(() -> credentials("{\"credsStore\": \"../../bin/sh\"}").forRegistry(REGISTRY))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("Invalid Docker credential helper name '../../bin/sh'");
    }

    @Test
    void anInvalidConfigFileIsReportedWithoutItsContent() {
        String leaked = auth("user", SECRET);
        assertThatThrownBy(() -> credentials("{\"auths\": {\"" + REGISTRY + "\": {\"auth\": " + leaked + "}}}"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("is not valid JSON (line 1")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(leaked));
    }

    @Test
    void theUsernamePasswordOptionsAreForTheTargetRegistryOnly() {
        RegistryCredentials credentials = new RegistryCredentials(REGISTRY, "user", SECRET, null);

        assertThat(credentials.forRegistry(REGISTRY)).hasValueSatisfying(c -> {
            assertThat(c.password()).isEqualTo(SECRET);
            assertThat(c.toString()).doesNotContain(SECRET);
        });
        assertThat(credentials.forRegistry("other.example.com")).isEmpty();
    }
}
