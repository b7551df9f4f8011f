// The launcher of Camel JBang's catalog (jbang camel@apache/camel): CamelJBangMain of camel-jbang-core. Run as a
// single source file on the classpath target/camel-jbang.classpath: java -cp ... CamelJBang.java run ...
import org.apache.camel.dsl.jbang.core.commands.CamelJBangMain;

class CamelJBang {

    public static void main(String... args) {
        CamelJBangMain.run(args);
    }
}
