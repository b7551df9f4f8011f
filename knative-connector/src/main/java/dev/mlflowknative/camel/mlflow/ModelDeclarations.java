package dev.mlflowknative.camel.mlflow;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mlflowknative.camel.UnsupportedModelException;

/**
 * The values a model declares that reach its image build (MLflow version, Python version, pip requirements), checked
 * against strict patterns where they are read: they end up in a generated Dockerfile and in pip's input, so a newline
 * or a pip option in them would let a model file add build steps or install from another index.
 *
 * <p>Accepted:
 * <ul>
 * <li>{@code mlflow_version}: a PEP 440 version ({@code 3.17.2}, {@code 2.10.1.dev0}, {@code 1!2.0rc1+local.7}).</li>
 * <li>{@code python_version} (MLmodel) and {@code python} (python_env.yaml): {@code major.minor[.micro]}, digits, with
 * an optional pre-release tag ({@code 3.13.0rc1}) as {@code platform.python_version()} gives it.</li>
 * <li>requirements.txt, line by line after comments and blank lines are dropped: a PEP 508 requirement by name —
 * {@code name[extra,...] specifiers ; markers}, e.g. {@code scikit-learn[alldeps]>=1.5,<2 ; python_version >= "3.9"}
 * — in printable ASCII. Refused: pip options ({@code --index-url}, {@code --extra-index-url}, {@code -e}, {@code -r},
 * {@code -c}, {@code --hash} …: they make pip read other files or indexes), direct references ({@code name @ url}),
 * bare URLs and paths, environment variables ({@code ${VAR}}, which pip expands) and line continuations.</li>
 * </ul>
 * Errors name the file, the field or line, and what is wrong; they never quote a refused requirement line, which may
 * carry an index URL with credentials.
 */
public final class ModelDeclarations {

    private static final int MAX_VERSION_LENGTH = 64;
    private static final int MAX_REQUIREMENT_LENGTH = 1000;
    // PEP 440, appendix B, case-insensitive
    private static final Pattern PEP440 = Pattern.compile("v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*"
            + "(?:[-_.]?(?:alpha|a|beta|b|preview|pre|c|rc)[-_.]?[0-9]*)?"
            + "(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?"
            + "(?:[-_.]?dev[-_.]?[0-9]*)?"
            + "(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern PYTHON = Pattern.compile("[0-9]{1,2}\\.[0-9]{1,3}(?:\\.[0-9]{1,3})?"
                                                          + "(?:(?:a|b|rc)[0-9]{1,3})?\\+?");

    // PEP 508 by name, spaces and tabs only (pip splits lines on more characters than Java does)
    private static final String SP = "[ \\t]*";
    private static final String NAME = "[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?";
    private static final String EXTRAS = "\\[" + SP + "(?:" + NAME + "(?:" + SP + "," + SP + NAME + ")*)?" + SP + "]";
    private static final String OPERATOR = "(?:~=|===|==|!=|<=|>=|<|>)";
    private static final String VERSION = "[A-Za-z0-9*][A-Za-z0-9_.*+!-]*";
    private static final String SPECIFIER = OPERATOR + SP + VERSION;
    private static final String SPECIFIERS = SPECIFIER + "(?:" + SP + "," + SP + SPECIFIER + ")*";
    private static final String QUOTED_SAFE = "[A-Za-z0-9 ._*+!~<>=,:/-]*";
    // possessive: a long identifier is never re-split into shorter ones (no catastrophic backtracking)
    private static final String MARKER_TOKEN = "(?:[A-Za-z_][A-Za-z0-9_.]*+|'" + QUOTED_SAFE + "'|\"" + QUOTED_SAFE
                                               + "\"|" + OPERATOR + "|\\(|\\))";
    private static final Pattern REQUIREMENT = Pattern.compile(NAME + SP + "(?:" + EXTRAS + SP + ")?"
            + "(?:\\(" + SP + SPECIFIERS + SP + "\\)|" + SPECIFIERS + ")?"
            + "(?:" + SP + ";(?:" + SP + MARKER_TOKEN + ")+)?" + SP);
    private static final Pattern OPTION = Pattern.compile("-{1,2}[A-Za-z][A-Za-z-]{0,30}");

    private ModelDeclarations() {
    }

    /** The MLmodel's mlflow_version, or null when absent; anything but a PEP 440 version is refused. */
    public static String mlflowVersion(String source, String value) {
        if (value != null && (value.length() > MAX_VERSION_LENGTH || !PEP440.matcher(value).matches())) {
            throw refused(source, "MLmodel", "mlflow_version", "is not a PEP 440 version (such as 3.17.2)", value);
        }
        return value;
    }

    /**
     * A declared Python version, or null when absent; anything but major.minor[.micro] is refused.
     *
     * @param file  the file it comes from (MLmodel, python_env.yaml)
     * @param field the field it comes from (python_version, python)
     */
    public static String pythonVersion(String source, String file, String field, String value) {
        if (value != null && !PYTHON.matcher(value).matches()) {
            throw refused(source, file, field, "is not a Python version major.minor[.micro] (such as 3.11.7)", value);
        }
        return value;
    }

    /** The requirement lines (comments and blank lines already dropped), each checked; see the class comment. */
    public static List<String> requirements(String source, List<String> lines) {
        List<String> checked = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            checked.add(requirement(source, i + 1, lines.get(i)));
        }
        return List.copyOf(checked);
    }

    private static String requirement(String source, int number, String line) {
        String where = "requirements.txt of " + source + ", requirement " + number;
        if (line.startsWith("-")) {
            Matcher option = OPTION.matcher(line);
            String name = option.lookingAt() ? " (" + option.group() + ")" : "";
            throw new UnsupportedModelException(where + " is a pip option" + name + ": options can make pip install"
                                                + " from another index or file, so only requirements by name are"
                                                + " accepted");
        }
        if (!line.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7f))) {
            throw new UnsupportedModelException(where + " holds a control or non-ASCII character");
        }
        if (line.length() > MAX_REQUIREMENT_LENGTH || !REQUIREMENT.matcher(line).matches()) {
            throw new UnsupportedModelException(where + " is not a requirement by name (name[extras] version"
                                                + " specifiers ; markers): URLs, paths, pip options, $ variables and"
                                                + " line continuations are refused");
        }
        return line;
    }

    private static UnsupportedModelException refused(String source, String file, String field, String why,
                                                     String value) {
        return new UnsupportedModelException("The " + file + " of " + source + " declares a " + field + " that " + why
                                             + ": '" + printable(value) + "'");
    }

    /** A short printable form of a refused version for the error message: no line breaks or control characters. */
    private static String printable(String value) {
        String shown = value.length() > MAX_VERSION_LENGTH ? value.substring(0, MAX_VERSION_LENGTH) + "…" : value;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
